"""Tables for people, in the user's language: the one export path of the apps' results.

A download is rows plus column specs (:class:`layers.io.writers.Column`: code, label,
value formatter); :func:`table_export` writes it through
:func:`layers.io.writers.table_export` with the legend sheet named in the active
language. The formatters here give values as a reader wants them: 是/否 (Yes/No) for
booleans, names for codes, lists joined with "、" in Chinese (", " otherwise), 万元.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from layers.io import writers
from layers.io.writers import Column

__all__ = [
    "Column",
    "joined",
    "legend",
    "name_of",
    "names",
    "table_export",
    "wan_yuan",
    "yes_no",
]


def list_separator() -> str:
    """ "、" in Chinese, ", " in the other languages."""
    return "、" if (get_language() or "zh-hans").startswith("zh") else ", "


def yes_no(value: Any) -> str | None:
    """是/否 (Yes/No) for a boolean; None (and NaN) stays empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return _("是") if bool(value) else _("否")


def joined(values: Iterable[Any]) -> str:
    """A list as one cell, joined in the language's way."""
    return list_separator().join(str(v) for v in values)


def names(labels: Mapping[str, str]) -> Callable[[Iterable[str]], str]:
    """A formatter turning a list of codes into their names (unknown codes as they are)."""

    def fmt(codes: Iterable[str]) -> str:
        return joined(labels.get(c, c) for c in codes)

    return fmt


def name_of(labels: Mapping[str, str]) -> Callable[[str], str]:
    """A formatter turning one code into its name."""
    return lambda code: labels.get(code, code)


def wan_yuan(value: Any) -> float | None:
    """Yuan as 万元, two decimals."""
    return None if value is None else round(float(value) / 10_000, 2)


def legend() -> tuple[str, str, str]:
    """The XLSX legend sheet's name and headers in the active language."""
    return (_("列代码"), _("编码"), _("列名"))


def table_export(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], fmt: str, **kw
) -> tuple[bytes, str]:
    """:func:`layers.io.writers.table_export` in the active language."""
    return writers.table_export(rows, columns, fmt, legend=legend(), **kw)
