"""Structured logs: one JSON object per line (python-json-logger), with the request id."""

from __future__ import annotations

from pythonjsonlogger.json import JsonFormatter

#: the fields of every line, in this order; extra fields given to the logger follow
FIELDS = "{levelname}{name}{message}{request_id}"


def json_formatter() -> JsonFormatter:
    """The formatter ``LOGGING`` names (``()``: a factory)."""
    return JsonFormatter(
        FIELDS,
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601 in UTC, whatever the process's time zone
        json_ensure_ascii=False,
    )
