"""Shared pieces of the sandbox tests: a PTB bot that keeps every raw reply, raw HTTP calls."""

from __future__ import annotations

import json
import ssl
from typing import Any

import httpx
from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import HTTPXRequest, RequestData

from sandbox import Sandbox

Reply = tuple[str, int, dict[str, Any]]  # method, HTTP status, JSON body
_TLS = ssl.create_default_context()  # built once: loading CA certificates per client is slow


class RecordingRequest(HTTPXRequest):
    """PTB's own HTTP client, keeping (method, status, JSON body) of every reply."""

    def __init__(self, log: list[Reply], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.log = log

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if "/file/bot" not in url:  # file downloads are bytes, not Bot API replies
            self.log.append((url.rsplit("/", 1)[-1], code, json.loads(payload)))
        return code, payload


def make_bot(sb: Sandbox, log: list[Reply] | None = None) -> Bot:
    """An unmodified PTB bot pointed at the sandbox (optionally recording raw replies)."""
    if log is None:
        return Bot(sb.token, base_url=f"{sb.url}/bot", base_file_url=f"{sb.url}/file/bot")
    return Bot(
        sb.token,
        base_url=f"{sb.url}/bot",
        base_file_url=f"{sb.url}/file/bot",
        request=RecordingRequest(log),
        get_updates_request=RecordingRequest(log, read_timeout=10.0),
    )


async def call(
    sb: Sandbox,
    method: str,
    *,
    params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    json_body: Any = None,
    files: dict[str, Any] | None = None,
    token: str | None = None,
    http_method: str = "POST",
) -> tuple[int, dict[str, Any]]:
    """One raw HTTP call, the way any Bot API client could make it."""
    async with httpx.AsyncClient(timeout=15.0, verify=_TLS) as client:
        response = await client.request(
            http_method,
            f"{sb.url}/bot{token or sb.token}/{method}",
            params=params,
            data=data,
            json=json_body,
            files=files,
        )
    body = response.json()
    assert isinstance(body, dict)
    return response.status_code, body


class FakeClock:
    """A clock the test moves by hand, for rate limits and message dates."""

    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
