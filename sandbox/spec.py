"""The Bot API spec as data: checks every call the bot makes and every object the sandbox returns.

The spec file lives outside the repository (it is reference data, not ours to ship). When it is
absent, as in the Docker image, validation is simply off.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.params import Upload, to_bool, to_float, to_int, to_json, to_str

SPEC_ENV = "OMZIEN_BOT_API_SPEC"
_PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
_ALWAYS = re.compile(r'always "([A-Za-z0-9_]+)"')
_MUST_BE = re.compile(r", must be ([a-z0-9_]+)$")


def default_spec_path() -> Path:
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared/telegram/bot-api-10.1.json"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: dict[str, FieldSpec] | None  # None for a union of subtypes
    subtypes: tuple[str, ...]
    constants: dict[str, str]  # field → the only value it may have ("status": "creator")


@dataclass
class CallCheck:
    """The outcome of checking one call: coerced values, spec problems, the reply to give."""

    values: dict[str, Any]
    problems: list[str]
    error: ApiError | None


def _fields(raw: list[dict[str, Any]]) -> dict[str, FieldSpec]:
    return {
        f["name"]: FieldSpec(
            name=f["name"],
            types=tuple(f["types"]),
            required=bool(f["required"]),
            description=str(f.get("description", "")),
        )
        for f in raw
    }


def _constant(field: FieldSpec) -> str | None:
    if field.types != ("String",):
        return None
    match = _ALWAYS.search(field.description) or _MUST_BE.search(field.description)
    return match.group(1) if match else None


class BotApiSpec:
    """Methods and types of one Bot API version."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data.get("version", ""))
        self.methods: dict[str, MethodSpec] = {}
        for name, method in data["methods"].items():
            self.methods[name.lower()] = MethodSpec(
                name=name,
                fields=_fields(method.get("fields", [])),
                returns=tuple(method.get("returns", [])),
            )
        self.types: dict[str, TypeSpec] = {}
        for name, kind in data["types"].items():
            subtypes = tuple(kind.get("subtypes", []))
            fields = None if subtypes and "fields" not in kind else _fields(kind.get("fields", []))
            constants = {
                f.name: value for f in (fields or {}).values() if (value := _constant(f)) is not None
            }
            self.types[name] = TypeSpec(name, fields, subtypes, constants)

    @classmethod
    def load(cls, path: Path | None = None) -> BotApiSpec | None:
        """The spec at `path` (default: the shared reference file), or None when absent."""
        path = path or default_spec_path()
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as handle:
            return cls(json.load(handle))

    def method(self, name: str) -> MethodSpec | None:
        """Method names are case-insensitive, as in Telegram."""
        return self.methods.get(name.lower())

    # -- objects -------------------------------------------------------------------------------

    def validate(self, types: Sequence[str], value: Any, path: str = "") -> list[str]:
        """Problems of `value` against a union of spec types; empty when it conforms."""
        best: list[str] | None = None
        for type_name in types:
            problems = self._validate_one(type_name, value, path)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best if best is not None else [f"{path or 'value'}: no type given"]

    def _validate_one(self, type_name: str, value: Any, path: str) -> list[str]:
        where = path or "value"
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: expected {type_name}, got {type(value).__name__}"]
            inner = type_name[len("Array of ") :]
            problems: list[str] = []
            for index, item in enumerate(value):
                problems += self._validate_one(inner, item, f"{path}[{index}]")
            return problems
        if type_name in _PRIMITIVES:
            return (
                []
                if _is_primitive(type_name, value)
                else [f"{where}: expected {type_name}, got {type(value).__name__}"]
            )
        kind = self.types.get(type_name)
        if kind is None:
            return [f"{where}: unknown type {type_name}"]
        if kind.fields is None:
            return self.validate(kind.subtypes, value, path)
        if not isinstance(value, dict):
            return [f"{where}: expected {type_name} object, got {type(value).__name__}"]
        problems = []
        for name in value:
            if name not in kind.fields:
                problems.append(f"{where}: {type_name} has no field {name!r}")
        for name, field in kind.fields.items():
            child = f"{path}.{name}" if path else name
            if name not in value:
                if field.required:
                    problems.append(f"{where}: {type_name} requires {name!r}")
                continue
            problems += self.validate(field.types, value[name], child)
            constant = kind.constants.get(name)
            if constant is not None and value[name] != constant:
                problems.append(f"{child}: {type_name} needs {constant!r}, got {value[name]!r}")
        return problems

    # -- calls ---------------------------------------------------------------------------------

    def check_call(self, method: MethodSpec, values: dict[str, Any], uploads: dict[str, Upload]) -> CallCheck:
        """Coerce each parameter by its spec type; unknown, missing or mistyped ones fail."""
        coerced: dict[str, Any] = {}
        problems: list[str] = []
        error: ApiError | None = None
        for name, raw in values.items():
            field = method.fields.get(name)
            if field is None:
                problems.append(f"unknown parameter {name!r}")
                error = error or bad_request(f"unknown parameter {name}")
                continue
            try:
                coerced[name] = self.coerce(field.types, raw, uploads, name)
            except ValueError as exc:
                problems.append(f"parameter {name!r}: {exc}")
                error = error or bad_request(f"wrong type of parameter {name}")
        for field in method.fields.values():
            if field.required and field.name not in values:
                problems.append(f"required parameter {field.name!r} is missing")
                error = error or bad_request(f"{field.name} is required")
        return CallCheck(coerced, problems, error)

    def coerce(self, types: Sequence[str], raw: Any, uploads: dict[str, Upload], name: str = "") -> Any:
        """The value of one parameter in the first spec type it fits; ValueError otherwise."""
        if isinstance(raw, Upload):
            if "InputFile" in types:
                return raw
            raise ValueError("a file was uploaded where none is accepted")
        reasons: list[str] = []
        for type_name in types:
            try:
                return self._coerce_one(type_name, raw, uploads)
            except ValueError as exc:
                reasons.append(str(exc))
        raise ValueError("; ".join(reasons) or f"cannot read {name}")

    def _coerce_one(self, type_name: str, raw: Any, uploads: dict[str, Upload]) -> Any:
        if type_name == "Integer":
            return to_int(raw)
        if type_name == "Float":
            return to_float(raw)
        if type_name == "Boolean":
            return to_bool(raw)
        if type_name == "String":
            return to_str(raw)
        if type_name == "InputFile":
            if isinstance(raw, str) and raw.startswith("attach://"):
                upload = uploads.get(raw[len("attach://") :])
                if upload is not None:
                    return upload
            raise ValueError("not an uploaded file")
        try:
            decoded = to_json(raw)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"expected {type_name} as JSON") from exc
        problems = self.validate([type_name], decoded)
        if problems:
            raise ValueError("; ".join(problems[:3]))
        return decoded


def _is_primitive(type_name: str, value: Any) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    return isinstance(value, str | Upload)
