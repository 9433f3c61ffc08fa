"""Which analyses can be queued: one :class:`RunKind` per kind, registered by its app
in ``AppConfig.ready``, read by the API, the planner page, the queue and the worker."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunKind:
    """How one kind of analysis is queued and executed.

    ``validate(params)`` checks the request cheaply (no routing) and returns the
    keyword arguments of ``execute``; bad input raises ValueError or ValidationError
    before anything is queued. ``execute(run=, user=, **kwargs)`` is the service that
    fills in the queued run. ``scope(kwargs)`` names the districts it is limited to
    (None: the whole city), for the access policy.
    """

    kind: str
    validate: Callable[[Mapping[str, Any]], dict[str, Any]]
    execute: Callable[..., Any]
    scope: Callable[[Mapping[str, Any]], list[str] | None]
    #: ``execute`` takes ``progress(pct, label)``
    reports_progress: bool = False


_KINDS: dict[str, RunKind] = {}


def run_kind_register(spec: RunKind) -> None:
    """Register an analysis (each app does, in its ``AppConfig.ready``)."""
    _KINDS[spec.kind] = spec


def run_kind_get(kind: str) -> RunKind:
    try:
        return _KINDS[kind]
    except KeyError:
        msg = f"analysis kind {kind!r} cannot be queued; kinds are {sorted(_KINDS)}"
        raise ValueError(msg) from None


def run_kinds() -> dict[str, RunKind]:
    return dict(_KINDS)


def district_scope(params: Mapping[str, Any]) -> list[str] | None:
    """The scope of an analysis with a ``district`` parameter (code or name)."""
    district = params.get("district")
    return [district] if district else None


def kwargs_of(fn: Callable[..., Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as keyword arguments of ``fn``; unknown names are refused."""
    names = set(inspect.signature(fn).parameters) - {"run", "user", "progress"}
    unknown = sorted(set(params) - names)
    if unknown:
        msg = f"unknown parameters {unknown}; accepted: {sorted(names)}"
        raise ValueError(msg)
    return dict(params)
