"""What the fake Telegram server knows: chats, messages, files, webhook, commands, update queue.

The synchronous Bot API methods live here; :class:`tests.fakes.telegram.FakeTelegram` adds the
HTTP server, long polling, recording and fault injection around them.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from tests.fakes import telegram_objects as tgo
from tests.fakes._forms import UploadedFile
from tests.fakes.telegram_objects import ApiError, Params, require

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class BotApiState:
    """State of one bot, guarded by ``lock`` (shared with the recorder's condition variable)."""

    def __init__(self, bot_user: Params, lock: threading.Condition) -> None:
        self.bot_user = bot_user
        self.lock = lock
        self.handlers: dict[str, Callable[[Params], Any]] = {
            "getMe": lambda _: bot_user | {"can_join_groups": True, "supports_inline_queries": False},
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": lambda p: self.edit(p, text=str(require(p, "text", "message text is empty"))),
            "editMessageReplyMarkup": lambda p: self.edit(p, text=None),
            "answerCallbackQuery": lambda p: bool(require(p, "callback_query_id", "query id is empty")),
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendChatAction": self.send_chat_action,
            "setMyCommands": self.set_commands,
            "deleteMyCommands": self.delete_commands,
            "getMyCommands": self.get_commands,
            "getFile": self.get_file,
            "close": lambda _: True,
            "logOut": lambda _: True,
        }
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.updates: list[Params] = []
            self.webhook: Params = {}
            self.deliveries: list[tuple[int, int]] = []
            self._next_update_id = 1
            self._message_ids: dict[int | str, int] = {}
            self._messages: dict[tuple[Any, Any], Params] = {}
            self._users: dict[int, str] = {}
            self._commands: dict[tuple[str, str], list[Params]] = {}
            self._files: dict[str, Params] = {}
            self.file_data: dict[str, UploadedFile] = {}
            self._callback_counter = 0

    # -- updates -----------------------------------------------------------------------------

    def claim_update_id(self, update: Params) -> int:
        with self.lock:
            update_id = int(update.setdefault("update_id", self._next_update_id))
            self._next_update_id = max(self._next_update_id, update_id + 1)
            return update_id

    def take_updates(self, offset: int, limit: int) -> list[Params]:
        """getUpdates without waiting: confirm updates below ``offset``, return up to ``limit``."""
        with self.lock:
            if self.webhook:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if offset > 0:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            elif offset < 0:
                self.updates = self.updates[offset:]
            return copy.deepcopy(self.updates[:limit])

    def text_update(self, user_id: int, text: str, first_name: str, chat_id: int) -> Params:
        sender = self._remember_user(user_id, first_name)
        with self.lock:
            message_id = self._next_message_id(chat_id)
            return {"message": tgo.text_message(message_id, sender, self._chat(chat_id), text)}

    def callback_update(self, user_id: int, data: str, message_id: int, chat_id: int) -> Params:
        sender = self._remember_user(user_id, None)
        with self.lock:
            message = self._messages.get((chat_id, message_id))
            if message is None:  # a message sent before the fake started: make it editable
                message = {"message_id": message_id, "from": self.bot_user, "chat": self._chat(chat_id)}
                message["date"] = tgo.now()
                self._messages[(chat_id, message_id)] = message
                self._message_ids[chat_id] = max(self._message_ids.get(chat_id, 0), message_id)
            self._callback_counter += 1
            query_id = f"{self.bot_user['id']}{self._callback_counter:09d}"
            return {"callback_query": tgo.callback_query(query_id, sender, copy.deepcopy(message), data)}

    def contact_update(self, user_id: int, phone: str, contact_user_id: int | None) -> Params:
        sender = self._remember_user(user_id, None)
        with self.lock:
            message_id = self._next_message_id(user_id)
            chat = self._chat(user_id)
        return {"message": tgo.contact_message(message_id, sender, chat, phone, contact_user_id)}

    def bot_messages(self, chat_id: int | str) -> list[Params]:
        with self.lock:
            found = [m for (chat, _), m in self._messages.items() if chat == chat_id]
            return copy.deepcopy(sorted(found, key=lambda m: m["message_id"]))

    # -- Bot API methods -----------------------------------------------------------------------

    def send_message(self, params: Params) -> Params:
        chat_id = require(params, "chat_id", "chat_id is empty")
        text = str(require(params, "text", "message text is empty"))
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._new_message(chat_id, text=text, reply_markup=_inline_markup(params))

    def send_photo(self, params: Params) -> Params:
        chat_id = require(params, "chat_id", "chat_id is empty")
        file = self.store_file(require(params, "photo", "there is no photo in the request"), "photo.jpg")
        base = {"file_id": file["file_id"], "file_unique_id": file["file_unique_id"]}
        sizes = [base | {"width": 90, "height": 90}, base | {"width": 320, "height": 320}]
        return self._new_message(
            chat_id, photo=sizes, caption=_caption(params), reply_markup=_inline_markup(params)
        )

    def send_document(self, params: Params) -> Params:
        chat_id = require(params, "chat_id", "chat_id is empty")
        file = self.store_file(require(params, "document", "there is no document in the request"), "file")
        document = {k: file[k] for k in ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")}
        return self._new_message(
            chat_id, document=document, caption=_caption(params), reply_markup=_inline_markup(params)
        )

    def send_chat_action(self, params: Params) -> bool:
        require(params, "chat_id", "chat_id is empty")
        tgo.check_chat_action(params.get("action"))
        return True

    def edit(self, params: Params, *, text: str | None) -> Params | bool:
        """editMessageText (``text`` given) or editMessageReplyMarkup (``text=None``)."""
        markup = _inline_markup(params)
        if params.get("inline_message_id"):
            return True
        with self.lock:
            message = self._messages.get((params.get("chat_id"), params.get("message_id")))
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            new_text = message.get("text") if text is None else text
            if new_text == message.get("text") and markup == message.get("reply_markup"):
                raise ApiError(400, _NOT_MODIFIED)
            if new_text is not None:
                message["text"] = new_text
            message.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
            if markup is not None:
                message["reply_markup"] = markup
            message["edit_date"] = tgo.now()
            return copy.deepcopy(message)

    def set_webhook(self, params: Params) -> bool:
        url = str(params.get("url") or "")
        tgo.check_secret_token(params.get("secret_token"))
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ApiError(400, "Bad Request: invalid webhook URL specified")
        with self.lock:
            if params.get("drop_pending_updates"):
                self.updates.clear()
            self.webhook = {}
            if url:  # an empty url removes the webhook, as in Telegram
                self.webhook = {
                    "url": url,
                    "secret_token": params.get("secret_token"),
                    "allowed_updates": params.get("allowed_updates"),
                    "drop_pending_updates": bool(params.get("drop_pending_updates")),
                    "max_connections": params.get("max_connections", 40),
                }
        return True

    def delete_webhook(self, params: Params) -> bool:
        with self.lock:
            self.webhook = {}
            if params.get("drop_pending_updates"):
                self.updates.clear()
        return True

    def webhook_info(self, _: Params) -> Params:
        with self.lock:
            info: Params = {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.updates),
            }
            if self.webhook:
                info |= {"url": self.webhook["url"], "max_connections": self.webhook["max_connections"]}
                info["ip_address"] = "127.0.0.1"
                if self.webhook["allowed_updates"] is not None:
                    info["allowed_updates"] = self.webhook["allowed_updates"]
            return info

    def set_commands(self, params: Params) -> bool:
        commands = tgo.check_commands(params.get("commands"))
        with self.lock:
            self._commands[_commands_key(params)] = commands
        return True

    def delete_commands(self, params: Params) -> bool:
        with self.lock:
            self._commands.pop(_commands_key(params), None)
        return True

    def get_commands(self, params: Params) -> list[Params]:
        with self.lock:
            return copy.deepcopy(self._commands.get(_commands_key(params), []))

    def get_file(self, params: Params) -> Params:
        with self.lock:
            file = self._files.get(str(params.get("file_id")))
            if file is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            return {k: file[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    def store_file(self, value: Any, default_name: str) -> Params:
        """Register an upload or URL as a new file; a known file_id string is reused."""
        with self.lock:
            if isinstance(value, str) and not value.startswith(("http://", "https://")):
                if value not in self._files:
                    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
                return self._files[value]
            number = len(self._files) + 1
            upload = value if isinstance(value, UploadedFile) else None
            name = upload.filename if upload and upload.filename else default_name
            if isinstance(value, str):  # a URL: Telegram would download it; the fake does not
                name = value.rsplit("/", 1)[-1] or default_name
            file: Params = {
                "file_id": f"BQACAgUAAxkBAAI{number:06d}",
                "file_unique_id": f"AgAD{number:06d}",
                "file_name": name,
                "mime_type": upload.content_type if upload else "application/octet-stream",
                "file_size": len(upload.data) if upload else 0,
                "file_path": f"documents/file_{number}_{name}",
            }
            self._files[file["file_id"]] = file
            if upload is not None:
                self.file_data[file["file_path"]] = upload
            return file

    # -- helpers -------------------------------------------------------------------------------

    def _next_message_id(self, chat_id: int | str) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _remember_user(self, user_id: int, first_name: str | None) -> Params:
        with self.lock:
            name = first_name or self._users.get(user_id, "Budi")
            self._users[user_id] = name
        return tgo.user(user_id, name)

    def _chat(self, chat_id: int | str) -> Params:
        name = self._users.get(chat_id, "Budi") if isinstance(chat_id, int) else ""
        return tgo.chat(chat_id, name)

    def _new_message(self, chat_id: int | str, **content: Any) -> Params:
        with self.lock:
            message: Params = {"message_id": self._next_message_id(chat_id), "from": self.bot_user}
            message |= {"chat": self._chat(chat_id), "date": tgo.now()}
            message |= {key: value for key, value in content.items() if value is not None}
            self._messages[(chat_id, message["message_id"])] = message
            return copy.deepcopy(message)


def _inline_markup(params: Params) -> Params | None:
    """The reply_markup Telegram echoes in a Message: inline keyboards only."""
    markup = params.get("reply_markup")
    tgo.check_reply_markup(markup)
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _caption(params: Params) -> str | None:
    caption = params.get("caption")
    if caption is not None and len(str(caption)) > 1024:
        raise ApiError(400, "Bad Request: message caption is too long")
    return None if caption is None else str(caption)


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")
