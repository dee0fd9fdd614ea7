"""Bot API vocabulary for the Telegram fake: method names, parameter decoding, errors, objects.

Pure functions only; :mod:`tests.fakes.telegram` holds the state and the server.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.fakes._forms import DecodedBody

Params = dict[str, Any]

METHODS = (
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "getFile",
    "close",
    "logOut",
)
#: Telegram matches method names case-insensitively.
CANONICAL_METHODS = {name.lower(): name for name in METHODS}
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

_INT_KEYS = frozenset(
    {"message_id", "offset", "limit", "timeout", "max_connections", "cache_time", "message_thread_id"}
)
_BOOL_KEYS = frozenset(
    {
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "show_alert",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "allow_sending_without_reply",
    }
)
_JSON_KEYS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ApiError(Exception):
    """An answer of the form ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: Params | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> Params:
        body: Params = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def injected_error(status: int, retry_after: int, description: str | None) -> ApiError:
    """The error Telegram gives for ``status``, as the fault injector produces it."""
    if status == 429:
        text = description or f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, text, {"retry_after": retry_after})
    defaults = {
        400: "Bad Request: chat not found",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return ApiError(status, description or defaults.get(status, "Internal Server Error"))


def coerce_params(decoded: DecodedBody, query: Params) -> Params:
    """Merge query, body and files into typed params, as the Bot API reads them.

    Form and multipart values arrive as strings (PTB JSON-encodes non-string values), so the
    keys the fake interprets are decoded; everything else stays as sent. Uploaded files
    become :class:`~tests.fakes._forms.UploadedFile` values; ``attach://name`` is resolved.
    """
    params: Params = {**query, **decoded.fields}
    for key, value in list(params.items()):
        if not isinstance(value, str):
            continue
        if key in _JSON_KEYS:
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        elif key in _INT_KEYS and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
        elif key in _BOOL_KEYS and value.lower() in ("true", "false"):
            params[key] = value.lower() == "true"
        elif value.startswith("attach://") and value[9:] in decoded.files:
            params[key] = decoded.files[value[9:]]
    for name, file in decoded.files.items():
        params.setdefault(name, file)
    chat_id = params.get("chat_id")
    if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
        params["chat_id"] = int(chat_id)
    return params


def require(params: Params, key: str, description: str) -> Any:
    value = params.get(key)
    if value is None or value == "":
        raise ApiError(400, f"Bad Request: {description}")
    return value


def check_reply_markup(markup: Any) -> None:
    """Reject what Telegram rejects in an inline keyboard: callback_data over 64 bytes."""
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")


def check_commands(commands: Any) -> list[Params]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError(400, "Bad Request: commands must be an array of at most 100 BotCommand")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    return commands


def check_secret_token(secret: Any) -> None:
    if secret is not None and secret != "" and not _SECRET.match(str(secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")


def check_chat_action(action: Any) -> None:
    if action not in _CHAT_ACTIONS:
        raise ApiError(400, "Bad Request: wrong parameter action in request")


def user(user_id: int, first_name: str, *, is_bot: bool = False, username: str | None = None) -> Params:
    result: Params = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if username:
        result["username"] = username
    if not is_bot:
        result["language_code"] = "id"
    return result


def chat(chat_id: int | str, first_name: str) -> Params:
    """A private chat for positive ids, a group for negative ids, a channel for ``@name``."""
    if isinstance(chat_id, str):
        return {"id": -1001000000001, "type": "channel", "title": chat_id, "username": chat_id.lstrip("@")}
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": "Grup UMKM"}
    return {"id": chat_id, "type": "private", "first_name": first_name}


def now() -> int:
    return int(time.time())


def text_message(message_id: int, sender: Params, chat_obj: Params, text: str) -> Params:
    """An incoming text message; a leading ``/command`` gets its bot_command entity like Telegram."""
    message: Params = {
        "message_id": message_id,
        "from": sender,
        "chat": chat_obj,
        "date": now(),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return message


def contact_message(
    message_id: int, sender: Params, chat_obj: Params, phone: str, contact_user_id: int | None
) -> Params:
    contact: Params = {"phone_number": phone, "first_name": sender["first_name"]}
    if contact_user_id is not None:
        contact["user_id"] = contact_user_id
    return {"message_id": message_id, "from": sender, "chat": chat_obj, "date": now(), "contact": contact}


def callback_query(query_id: str, sender: Params, message: Params, data: str) -> Params:
    return {
        "id": query_id,
        "from": sender,
        "message": message,
        "chat_instance": f"-{abs(hash(message['chat']['id'])) % 10**18}",
        "data": data,
    }


def update_kind(update: Params) -> str:
    """The update type: the one key besides ``update_id``."""
    return next((key for key in update if key != "update_id"), "unknown")
