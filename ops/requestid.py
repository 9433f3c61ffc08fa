"""The id of the request being served, for every log line written while serving it."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
#: ids accepted from a proxy's ``X-Request-ID``: short, no spaces or control characters
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it looks like one, else a new random id."""
    if header and _VALID.match(header):
        return header
    return uuid.uuid4().hex


def set_current(value: str) -> contextvars.Token:
    return _current.set(value)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def current() -> str:
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
