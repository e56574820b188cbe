"""The Bot API over HTTP on loopback: Telegram's URLs, request encodings and reply shapes.

Requests are decoded from the query string, urlencoded or multipart forms and JSON bodies,
checked against the spec (when available), passed through injected faults, and answered as
`{"ok": true, "result": ...}` or Telegram's error object.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.errors import ApiError, Unsupported, bad_request, not_found, unauthorized
from sandbox.faults import POLLING_METHOD, Faults
from sandbox.limits import Stats
from sandbox.methods import BotApi, MethodDef, Reply
from sandbox.models import BotEvent
from sandbox.params import Params, Upload
from sandbox.spec import BotApiSpec, MethodSpec
from sandbox.update_queue import QueuedUpdate
from sandbox.world import World

MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's limit for files bots upload
SHUTDOWN_SECONDS = 0.5  # calls held by an injected delay do not hold up stopping
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class _Call:
    """A call as it arrived: the method's name and when (the sandbox's clock)."""

    name: str
    arrived: float


def _client_alive(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _chat_of(values: dict[str, Any]) -> int | None:
    raw = values.get("chat_id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lstrip("-").isdigit():
        return int(raw)
    return None


async def decode_request(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters and uploaded files of a call, however Telegram would accept them."""
    values: dict[str, Any] = dict(request.query.items())
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(await request.text())
            except ValueError as error:
                raise bad_request("can't parse JSON object") from error
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            values.update({k: v for k, v in body.items() if v is not None})
        elif content_type in _FORMS:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(key, value.filename, value.content_type, value.file.read())
                elif isinstance(value, bytes | bytearray):
                    values[key] = bytes(value).decode("utf-8", "replace")
                else:
                    values[key] = value
    attached = {
        v[len("attach://") :] for v in values.values() if isinstance(v, str) and v.startswith("attach://")
    }
    for name, upload in uploads.items():
        if name not in attached:
            values[name] = upload
    return values, uploads


class SandboxServer:
    """aiohttp application serving one bot token."""

    def __init__(
        self,
        *,
        world: World,
        api: BotApi,
        spec: BotApiSpec | None,
        strict: bool,
        stats: Stats,
        faults: Faults,
        violations: list[str],
    ) -> None:
        self.world = world
        self.api = api
        self.spec = spec
        self.strict = strict
        self.stats = stats
        self.faults = faults
        self.violations = violations
        self.inflight = 0  # calls being handled, long polls excluded
        self.url = ""
        self._runner: web.AppRunner | None = None
        api.check_webhook_update = self._check_webhook_update

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self, host: str, port: int) -> str:
        self.api.open_polls()
        runner = web.AppRunner(
            self.application(),
            handler_cancellation=True,  # a bot that hangs up (or is killed) ends its long poll
            access_log=None,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound = runner.addresses[0]
        self.url = f"http://{host}:{bound[1]}"
        return self.url

    async def stop(self) -> None:
        self.api.close_polls()
        await self.api.close_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def violation(self, method: str, detail: str) -> None:
        self.violations.append(f"{method}: {detail}")

    def _check_webhook_update(self, update: QueuedUpdate, body: dict[str, Any]) -> None:
        """An update the webhook sends is checked as getUpdates' result is (raw ones exempt)."""
        if not self.strict or self.spec is None or update.raw:
            return
        for problem in self.spec.validate(("Update",), body, "update"):
            self.violation("webhook", problem)

    # -- files ---------------------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return web.json_response(unauthorized().to_dict(), status=401)
        stored = self.world.file_by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(not_found().to_dict(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.info.mime_type or "application/octet-stream"
        )

    # -- methods -------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return web.json_response(unauthorized().to_dict(), status=401)
        requested = request.match_info["method"]
        method = self.api.find(requested)
        spec_method = self.spec.method(requested) if self.spec is not None else None
        name = method.name if method else spec_method.name if spec_method else requested
        self.stats.calls[name] += 1
        polling = name == POLLING_METHOD
        if not polling:
            self.inflight += 1
        try:
            status, body = await self._serve(request, _Call(name, self.world.clock()), method,
                                             spec_method)
        finally:
            if not polling:
                self.inflight -= 1
        return web.json_response(body, status=status)

    async def _serve(
        self,
        request: web.Request,
        call: _Call,
        method: MethodDef | None,
        spec_method: MethodSpec | None,
    ) -> tuple[int, dict[str, Any]]:
        name = call.name
        try:
            values, uploads = await decode_request(request)
        except ApiError as undecodable:
            return self._fail(call, {}, undecodable)
        if method is None:
            if spec_method is None:
                if self.spec is not None:
                    self.violation(name, "no such method in the Bot API")
                return self._fail(call, values, not_found())
            self.violation(name, "method is not served by the sandbox")
            return self._fail(call, values, Unsupported(f"method {name}"))
        values, refusal = self._check_call(name, method, spec_method, values, uploads)
        if refusal is not None:
            return self._fail(call, values, refusal)
        chat_id = _chat_of(values)
        delay, fault = self.faults.take(name, chat_id)
        if delay:
            held = "held by an injected delay"
            self._record(call, values, chat_id, ok=False, error=held, delayed=True)
            await asyncio.sleep(delay)
        if fault is not None:
            return self._fail(call, values, fault, chat_id)
        params = Params(values, uploads=uploads, is_alive=lambda: _client_alive(request))
        try:
            reply = await method.handler(params)
        except Unsupported as unsupported:
            self.violation(name, unsupported.description)
            return self._fail(call, values, unsupported, chat_id)
        except ApiError as failure:
            return self._fail(call, values, failure, chat_id)
        self._check_reply(name, spec_method, reply)
        reply_chat = reply.chat_id if reply.chat_id is not None else chat_id
        self._record(call, values, reply_chat, ok=True, reply=reply)
        return 200, {"ok": True, "result": reply.result}

    def _check_call(
        self,
        name: str,
        method: MethodDef,
        spec_method: MethodSpec | None,
        values: dict[str, Any],
        uploads: dict[str, Upload],
    ) -> tuple[dict[str, Any], ApiError | None]:
        if self.spec is not None and spec_method is not None:
            check = self.spec.check_call(spec_method, values, uploads)
            for problem in check.problems:
                self.violation(name, problem)
            if check.error is not None:
                return values, check.error
            values = check.values
        for key in values:
            if key in method.params:
                continue
            if spec_method is not None:
                self.violation(name, f"parameter {key!r} is not supported by the sandbox")
                return values, Unsupported(f"parameter {key}")
            return values, bad_request(f"unknown parameter {key}")
        return values, None

    def _check_reply(self, name: str, spec_method: MethodSpec | None, reply: Reply) -> None:
        if not self.strict or self.spec is None or spec_method is None:
            return
        checks = reply.checks
        if checks is None:
            checks = [(spec_method.returns, reply.result)]
        for types, value in checks:
            for problem in self.spec.validate(types, value, "result"):
                self.violation(name, f"reply {problem}")

    def _fail(
        self, call: _Call, values: dict[str, Any], error: ApiError, chat_id: int | None = None
    ) -> tuple[int, dict[str, Any]]:
        if error.status == 429:
            self.stats.count_429(chat_id if chat_id is not None else _chat_of(values))
        self._record(call, values, chat_id, ok=False, error=error.description)
        return error.status, error.to_dict()

    def _record(
        self,
        call: _Call,
        values: dict[str, Any],
        chat_id: int | None,
        *,
        ok: bool,
        error: str | None = None,
        reply: Reply | None = None,
        delayed: bool = False,
    ) -> None:
        if call.name == POLLING_METHOD:
            return
        self.world.record(
            BotEvent(
                method=call.name,
                chat_id=chat_id if chat_id is not None else _chat_of(values),
                message=reply.message if reply is not None else None,
                params=dict(values),
                ok=ok,
                error=error,
                at=self.world.clock(),
                result=reply.result if reply is not None else None,
                delayed=delayed,
                arrived=call.arrived,
            )
        )
