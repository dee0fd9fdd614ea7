"""Graph API error shapes and the send-message checks the WhatsApp fake enforces.

HTTP statuses follow Meta's Cloud API error-code table: throttling (4, 80007, 130429, 131048,
131056) and per-message errors (131026, 131047, 131009, 100) are **400 Bad Request** - Graph
does not use 429 - so clients must branch on ``error.code``, not on the status. 190 is 401;
131000 ("Something went wrong") is 500.

Detail strings marked "verbatim" are what Graph sends; the others are close paraphrases.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

Params = dict[str, Any]


@dataclass(frozen=True)
class ErrorSpec:
    http_status: int
    title: str
    details: str | None


ERRORS: dict[int, ErrorSpec] = {
    4: ErrorSpec(400, "Application request limit reached", "The app has reached its API call rate limit."),
    100: ErrorSpec(400, "Invalid parameter", None),
    190: ErrorSpec(401, "Error validating access token: Session has expired.", None),
    80007: ErrorSpec(400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: ErrorSpec(400, "Rate limit hit", "Cloud API message throughput has been reached."),  # verbatim
    131000: ErrorSpec(500, "Something went wrong", "Message failed to send due to an unknown error."),
    131009: ErrorSpec(400, "Parameter value is not valid", None),
    131026: ErrorSpec(
        400,
        "Message Undeliverable",
        "Unable to deliver message. The recipient may not be a WhatsApp user, may not have accepted "
        "the latest Terms of Service, or may be using an old WhatsApp version.",
    ),
    131047: ErrorSpec(
        400,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131048: ErrorSpec(
        400,
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be sent "
        "from this phone number.",
    ),
    131056: ErrorSpec(
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "to the same phone number in a short period of time.",
    ),
}
#: ``fail_next(code=500)`` is shorthand for Graph's generic server error.
CODE_ALIASES = {500: 131000}
_TYPES = ("audio", "contacts", "document", "image", "interactive", "location", "reaction", "sticker")
SEND_TYPES = frozenset((*_TYPES, "template", "text", "video"))


class GraphError(Exception):
    """A Graph API error answer: ``{"error": {"message", "type", "code", ...}}``."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        details: str | None = None,
        http_status: int = 400,
        subcode: int | None = None,
    ) -> None:
        super().__init__(f"({code}) {message}")
        self.code = code
        self.message = message
        self.details = details
        self.http_status = http_status
        self.subcode = subcode

    def body(self) -> Params:
        error: Params = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}


def error_for(code: int, *, http_status: int | None = None, details: str | None = None) -> GraphError:
    """The error Graph answers with for ``code`` (see the module docstring for statuses)."""
    code = CODE_ALIASES.get(code, code)
    spec = ERRORS.get(code, ErrorSpec(400, "Error", None))
    message = spec.title if code == 190 else f"(#{code}) {spec.title}"
    return GraphError(
        code,
        message,
        details=details or spec.details,
        http_status=http_status or spec.http_status,
        subcode=463 if code == 190 else None,
    )


def invalid_parameter(message: str) -> GraphError:
    """Code 100: Graph puts the reason in the message, e.g. ``(#100) The parameter to is required.``"""
    return GraphError(100, f"(#100) {message}")


def not_valid(details: str) -> GraphError:
    """Code 131009, "Parameter value is not valid", with the reason in ``error_data.details``."""
    return GraphError(131009, "(#131009) Parameter value is not valid", details=details)


def validate_send(body: Params) -> str:
    """Check a send-message body like Graph does; return the message type."""
    _require_product(body)
    to = body.get("to")
    if not to:
        raise invalid_parameter("The parameter to is required.")
    if not re.fullmatch(r"\+?\d{6,20}", str(to)):
        raise not_valid(f"Param to '{to}' is not a valid WhatsApp phone number")
    kind = body.get("type", "text")
    if kind not in SEND_TYPES:
        allowed = ", ".join(sorted(t.upper() for t in SEND_TYPES))
        raise invalid_parameter(f'Param type must be one of {{{allowed}}} - got "{kind}".')
    content = body.get(kind)
    if not isinstance(content, dict):
        raise invalid_parameter(f"The parameter {kind} is required.")
    check = _CHECKS.get(kind)
    if check is not None:
        check(content)
    return str(kind)


def validate_read(body: Params) -> None:
    _require_product(body)
    if not body.get("message_id"):
        raise invalid_parameter("The parameter message_id is required.")


def _require_product(body: Params) -> None:
    product = body.get("messaging_product")
    if product is None:
        raise invalid_parameter("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise invalid_parameter(f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".')


def _length(value: Any, low: int, high: int, details: str) -> None:
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise not_valid(f"{details} length invalid. Min length: {low}, Max length: {high}")


def _check_text(content: Params) -> None:
    text = content.get("body")
    if not isinstance(text, str) or not text:
        raise invalid_parameter("The parameter text['body'] is required.")
    if len(text) > 4096:  # verbatim
        raise invalid_parameter("Param text['body'] must be at most 4096 characters long.")


def _check_media(content: Params) -> None:
    if ("id" in content) == ("link" in content):
        raise invalid_parameter("Exactly one of the parameters id or link is required.")
    if "caption" in content:
        _length(content["caption"], 1, 1024, "Caption")


def _check_template(content: Params) -> None:
    if not content.get("name"):
        raise invalid_parameter("The parameter template['name'] is required.")
    language = content.get("language")
    if not isinstance(language, dict) or not language.get("code"):
        raise invalid_parameter("The parameter template['language']['code'] is required.")
    components = content.get("components", [])
    if not isinstance(components, list):
        raise invalid_parameter("Param template['components'] must be an array.")
    for component in components:
        if not isinstance(component, dict) or component.get("type") != "body":
            continue
        for parameter in component.get("parameters") or []:
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                continue
            text = parameter.get("text")
            if not isinstance(text, str) or not text:
                raise invalid_parameter("The parameter text is required.")
            if "\n" in text or "\t" in text or "     " in text:
                raise invalid_parameter(
                    "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"
                )
            _length(text, 1, 1024, "Template body parameter")


def _check_interactive(content: Params) -> None:
    kind = content.get("type")
    body = content.get("body")
    if kind not in ("button", "list"):
        raise invalid_parameter(
            f"Param interactive['type'] must be one of {{BUTTON, LIST}} - got \"{kind}\"."
        )
    if not isinstance(body, dict):
        raise invalid_parameter("The parameter interactive['body'] is required.")
    _length(body.get("text"), 1, 1024 if kind == "button" else 4096, "Body text")
    footer = content.get("footer")
    if footer is not None:
        _length(footer.get("text") if isinstance(footer, dict) else None, 1, 60, "Footer text")
    action = content.get("action")
    if not isinstance(action, dict):
        raise invalid_parameter("The parameter interactive['action'] is required.")
    if kind == "button":
        _check_buttons(action.get("buttons"))
    else:
        _check_list(action)


def _check_buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise not_valid("Number of buttons invalid. Min: 1, Max: 3")
    ids: set[str] = set()
    titles: set[str] = set()
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(reply, dict) or button.get("type") != "reply":
            raise invalid_parameter("The parameter interactive['action']['buttons'][0]['reply'] is required.")
        _length(reply.get("id"), 1, 256, "Button id")
        _length(reply.get("title"), 1, 20, "Button title")  # verbatim
        if reply["id"] in ids:
            raise not_valid("Button ids must be unique")
        if reply["title"] in titles:
            raise not_valid("Button titles must be unique")
        ids.add(reply["id"])
        titles.add(reply["title"])


def _check_list(action: Params) -> None:
    _length(action.get("button"), 1, 20, "Button label")
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise not_valid("Number of sections invalid. Min: 1, Max: 10")
    rows = [row for section in sections for row in (section.get("rows") or [])]
    if not rows or len(rows) > 10:  # verbatim
        raise not_valid("Total row count exceed max allowed count: 10")
    for section in sections:
        if len(sections) > 1 or "title" in section:
            _length(section.get("title"), 1, 24, "Section title")
    ids: set[str] = set()
    for row in rows:
        _length(row.get("id"), 1, 200, "Row id")
        if not isinstance(row.get("title"), str) or not row["title"]:
            raise invalid_parameter("The parameter row title is required.")
        if len(row["title"]) > 24:  # verbatim
            raise not_valid("Row title is too long. Max length is 24")
        if len(row.get("description") or "") > 72:
            raise not_valid("Row description is too long. Max length is 72")
        if row["id"] in ids:
            raise not_valid("Row ids must be unique")
        ids.add(row["id"])


_CHECKS = {
    "text": _check_text,
    "image": _check_media,
    "document": _check_media,
    "template": _check_template,
    "interactive": _check_interactive,
}
