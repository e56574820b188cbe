"""Method parameters as they arrive over HTTP, read with the type each method expects.

Telegram accepts the same parameter as a query string, a form field, a multipart part or a
JSON value; form and query values are strings, so every reader coerces from a string too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.errors import bad_request

_INTEGER = re.compile(r"^[+-]?\d{1,19}$")


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart part."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("boolean is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise ValueError(f"not an integer: {value!r}")


def to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        number = float(value.strip())
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return number
    raise ValueError(f"not a number: {value!r}")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0"):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"not a boolean: {value!r}")


def to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"not a string: {value!r}")


def to_json(value: Any) -> Any:
    """An object or array parameter: already decoded (JSON body) or JSON text (form field)."""
    if isinstance(value, dict | list):
        return value
    if isinstance(value, str):
        decoded = json.loads(value)
        if isinstance(decoded, dict | list):
            return decoded
    raise ValueError(f"not a JSON object or array: {value!r}")


class Params:
    """The parameters of one call; readers raise Telegram's 400 errors on bad values."""

    def __init__(
        self,
        values: dict[str, Any],
        *,
        uploads: dict[str, Upload] | None = None,
        is_alive: Callable[[], bool] | None = None,
    ) -> None:
        self.values = values
        self.uploads = uploads or {}
        self.is_alive: Callable[[], bool] = is_alive or (lambda: True)

    def has(self, name: str) -> bool:
        return name in self.values

    def _read(self, name: str, convert: Callable[[Any], Any], required: bool) -> Any:
        if name not in self.values:
            if required:
                raise bad_request(f"{name} is required")
            return None
        try:
            return convert(self.values[name])
        except (ValueError, TypeError) as error:
            raise bad_request(f"wrong type of parameter {name}") from error

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value: int | None = self._read(name, to_int, required)
        return value

    def need_int(self, name: str) -> int:
        value = self.get_int(name, required=True)
        assert value is not None
        return value

    def get_float(self, name: str) -> float | None:
        value: float | None = self._read(name, to_float, False)
        return value

    def get_bool(self, name: str) -> bool:
        value: bool | None = self._read(name, to_bool, False)
        return bool(value)

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value: str | None = self._read(name, to_str, required)
        return value

    def need_str(self, name: str) -> str:
        value = self.get_str(name, required=True)
        assert value is not None
        return value

    def get_json(self, name: str, *, required: bool = False) -> Any:
        return self._read(name, to_json, required)

    def get_chat_id(self, name: str = "chat_id") -> int | str:
        """An Integer or a String (`@username`); numeric strings become integers."""
        raw = self._read(name, lambda v: v, True)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            try:
                return to_int(raw)
            except ValueError:
                return raw
        raise bad_request(f"wrong type of parameter {name}")

    def get_file(self, name: str, *, required: bool = False) -> Upload | str | None:
        """An uploaded file (direct part or attach://), or a file_id/URL string."""
        if name not in self.values:
            if required:
                raise bad_request(f"{name} is required")
            return None
        value = self.values[name]
        if isinstance(value, Upload):
            return value
        if isinstance(value, str):
            if value.startswith("attach://"):
                upload = self.uploads.get(value[len("attach://") :])
                if upload is None:
                    raise bad_request(f"wrong type of parameter {name}")
                return upload
            return value
        raise bad_request(f"wrong type of parameter {name}")
