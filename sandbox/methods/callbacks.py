"""Answering a button press: once, within Telegram's limits."""

from __future__ import annotations

from sandbox.errors import bad_request
from sandbox.methods.base import ApiBase, Reply
from sandbox.models import CallbackAnswer
from sandbox.params import Params

CALLBACK_ANSWER_LIMIT = 200  # characters


class CallbackMethods(ApiBase):
    async def answer_callback_query(self, p: Params) -> Reply:
        query_id = p.need_str("callback_query_id")
        state = self.world.callback_queries.get(query_id)
        if state is None or state.answer is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.get_str("text")
        if text is not None and len(text) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        state.answer = CallbackAnswer(
            query_id=query_id,
            text=text,
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            cache_time=p.get_int("cache_time") or 0,
        )
        return Reply(True, state.chat_id)
