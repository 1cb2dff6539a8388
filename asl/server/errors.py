"""The one exception an action raises to answer with an AWS error: its `__type`, message and HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    """An AWS-shaped error response (`{"__type": code, "message": message}`, HTTP 400 unless told)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
