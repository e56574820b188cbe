"""Text, captions, buttons and reply targets as Telegram checks them: HTML parsed into
entities, mentions resolved, inline keyboards validated."""

from __future__ import annotations

from typing import Any

from sandbox.errors import Unsupported, bad_request
from sandbox.html_text import EntityParseError, normalize_url, parse_html, trim
from sandbox.methods.base import ApiBase
from sandbox.models import SandboxMessage
from sandbox.params import Params, to_bool, to_int
from sandbox.text_entities import check_entities, detect_entities

CALLBACK_DATA_LIMIT = 64  # bytes
CAPTION_LIMIT = 1024
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip

Formatted = tuple[str, list[dict[str, Any]], str | None]
"""Plain text, its entities and the HTML it was written in (if any)."""


class Formatting(ApiBase):
    def _formatted(
        self, raw: str, parse_mode: str | None, given: Any, entities_name: str
    ) -> Formatted:
        """Plain text, entities and the raw HTML (if any) of a text or caption."""
        html = None
        if given is not None:
            if not isinstance(given, list):
                raise bad_request(f"wrong type of parameter {entities_name}")
            try:
                entities = check_entities(raw, given)
            except ValueError as error:
                raise bad_request(f"can't parse entities: {error}") from error
            text = raw
        else:
            mode = (parse_mode or "").strip()
            if not mode:
                text, entities = raw, []
            elif mode.lower() == "html":
                try:
                    text, entities = parse_html(raw)
                except EntityParseError as error:
                    raise bad_request(f"can't parse entities: {error}") from error
                html = raw
            elif mode.lower() in ("markdown", "markdownv2"):
                raise Unsupported(f"parse_mode {mode}")
            else:
                raise bad_request("unsupported parse_mode")
        text, entities = trim(text, entities)
        entities = self._resolve_mentions(entities)
        return text, detect_entities(text, entities), html

    def _resolve_mentions(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """text_mention entities carry the full user, so only known users can be mentioned."""
        resolved = []
        for entity in entities:
            if entity["type"] == "text_mention":
                user_id = entity.get("user", {}).get("id")
                user = self.world.user_by_id(user_id) if isinstance(user_id, int) else None
                if user is None:
                    continue
                entity = {**entity, "user": user.to_dict()}
            resolved.append(entity)
        return resolved

    def _reply_markup(self, p: Params, *, inline_only: bool) -> dict[str, Any] | None:
        markup = p.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("wrong type of parameter reply_markup")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise bad_request("inline keyboard expected")
            return dict(markup)
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("wrong type of parameter reply_markup")
        kept_rows = []
        for row in rows:
            for button in row:
                self._check_button(button)
            if row:
                kept_rows.append([dict(button) for button in row])
        return {"inline_keyboard": kept_rows} if kept_rows else None

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("wrong type of parameter reply_markup")
        if not any(action in button for action in BUTTON_ACTIONS):
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or normalize_url(url) is None:
                raise bad_request("BUTTON_URL_INVALID")
            if not url.lower().startswith(("http://", "https://", "tg://")):
                raise bad_request("BUTTON_URL_INVALID")

    def _reply_target(self, p: Params, chat_id: int) -> SandboxMessage | None:
        parameters = p.get_json("reply_parameters")
        if parameters is None:
            return None
        if not isinstance(parameters, dict) or "message_id" not in parameters:
            raise bad_request("wrong type of parameter reply_parameters")
        try:
            message_id = to_int(parameters["message_id"])
            target_chat = parameters.get("chat_id", chat_id)
            target_chat = to_int(target_chat) if not isinstance(target_chat, int) else target_chat
            tolerant = to_bool(parameters.get("allow_sending_without_reply", False))
        except ValueError as error:
            raise bad_request("wrong type of parameter reply_parameters") from error
        target = self.world.get_message(chat_id, message_id) if target_chat == chat_id else None
        if target is None or target.deleted:
            if tolerant:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _caption(self, p: Params) -> Formatted:
        raw = p.get_str("caption")
        if raw is None:
            return "", [], None
        text, entities, html = self._formatted(
            raw, p.get_str("parse_mode"), p.get_json("caption_entities"), "caption_entities"
        )
        if len(text) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
        return text, entities, html
