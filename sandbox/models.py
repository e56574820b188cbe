"""The sandbox's users, chats, messages and bot events, and their Bot API shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SandboxUser:
    """A Telegram account: a neighbour, or the bot itself."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data

    def private_chat_dict(self) -> dict[str, Any]:
        """The Chat object of this user's private chat with the bot."""
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class SandboxChat:
    """A basic group or a supergroup."""

    id: int
    type: str
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(frozen=True)
class FileInfo:
    """A stored upload as a message refers to it."""

    file_id: str
    file_unique_id: str
    kind: str  # "document" or "photo"
    file_name: str | None
    mime_type: str | None
    file_size: int
    width: int = 0
    height: int = 0

    def document_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def photo_sizes(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.file_size,
            }
        ]


@dataclass(frozen=True)
class StoredFile:
    """Bytes the bot uploaded, served back by getFile and the file download URL."""

    info: FileInfo
    data: bytes
    file_path: str


@dataclass(frozen=True)
class SandboxMessage:
    """One version of a message; edits and deletion produce new versions."""

    chat_id: int
    message_id: int
    chat: dict[str, Any]
    from_user: SandboxUser
    date: int
    text: str = ""  # plain text (the caption for documents and photos)
    html: str | None = None  # what the bot sent with parse_mode HTML, unparsed
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: SandboxMessage | None = None
    document: FileInfo | None = None
    photo: FileInfo | None = None
    service: dict[str, Any] = field(default_factory=dict)
    protect_content: bool = False
    link_preview_options: dict[str, Any] | None = None
    deleted: bool = False
    edited: bool = False
    edit_date: int | None = None
    update_id: int | None = None  # the update that carried it to the bot, if it was delivered

    @property
    def is_service(self) -> bool:
        return bool(self.service)

    @property
    def caption(self) -> str | None:
        return self.text if self.document or self.photo else None

    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows; empty when the message has no inline keyboard."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard")
        return [list(row) for row in rows] if isinstance(rows, list) else []

    def button_texts(self) -> list[str]:
        return [str(button["text"]) for row in self.buttons() for button in row]

    def url_buttons(self) -> dict[str, str]:
        """Button text to URL, for buttons that open a link."""
        return {
            str(button["text"]): str(button["url"])
            for row in self.buttons()
            for button in row
            if "url" in button
        }

    def to_dict(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Message object exactly as the Bot API returns it."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.from_user.to_dict(),
            "chat": dict(self.chat),
            "date": self.date,
        }
        if self.reply_to is not None and with_reply:
            data["reply_to_message"] = self.reply_to.to_dict(with_reply=False)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.protect_content:
            data["has_protected_content"] = True
        if self.document is not None or self.photo is not None:
            if self.document is not None:
                data["document"] = self.document.document_dict()
            if self.photo is not None:
                data["photo"] = self.photo.photo_sizes()
            if self.text:
                data["caption"] = self.text
                if self.entities:
                    data["caption_entities"] = [dict(e) for e in self.entities]
        elif self.text:
            data["text"] = self.text
            if self.entities:
                data["entities"] = [dict(e) for e in self.entities]
        data.update(self.service)
        if self.reply_markup and self.reply_markup.get("inline_keyboard"):
            data["reply_markup"] = self.reply_markup
        return data

    def describe(self) -> str:
        what = self.text or ", ".join(sorted(self.service)) or "(no text)"
        if len(what) > 80:
            what = what[:77] + "..."
        flags = " [deleted]" if self.deleted else " [edited]" if self.edited else ""
        return f"#{self.message_id} from {self.from_user.first_name}: {what!r}{flags}"


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True)
class BotEvent:
    """One call the bot made, in the order the sandbox received them.

    A call held back by `faults.delay` is recorded twice: once on arrival (`delayed` set,
    `ok` false) so tests can act while the bot waits, and once with its outcome. `arrived` is
    when the call reached the sandbox and `at` when it was answered (the sandbox's clock).
    """

    method: str
    chat_id: int | None
    message: SandboxMessage | None
    params: dict[str, Any]
    ok: bool
    error: str | None
    at: float = 0.0
    result: Any = None
    delayed: bool = False
    arrived: float = 0.0

    def describe(self) -> str:
        status = "delayed" if self.delayed else "ok" if self.ok else f"error {self.error!r}"
        where = f" chat={self.chat_id}" if self.chat_id is not None else ""
        what = f" {self.message.describe()}" if self.message is not None else ""
        return f"{self.method}{where} {status}{what}"
