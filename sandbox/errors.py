"""Bot API failures as Telegram reports them, independent of the HTTP layer."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call; the HTTP layer turns it into Telegram's error reply."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class Unsupported(ApiError):
    """A call Telegram would serve but the sandbox cannot emulate faithfully.

    It is recorded as a violation so that tests notice the gap instead of passing on a fake.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Bad Request: {detail} is not supported by the sandbox")
        self.detail = detail


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")
