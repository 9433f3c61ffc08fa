"""ETag, conditional GET and caches for public responses.

Design: ``selectors.data_version()`` is one query over the public tables (count,
max(id), max(updated_at)). The ETag and cache key are a hash of that version, the
endpoint name and the *validated* parameters, so:

* any edit changes the version, so every ETag and cache key changes (cache
  invalidated on edit); old entries expire by TTL / LRU;
* only anonymous, allowlisted bodies are ever stored (the public views use no
  authentication at all), so ``Cache-Control: public`` is safe (SECURITY.md E3).

Hot path (issue 9, ``benchmarks/public_map.py``): the version is remembered in the
process for ``PUBLIC_DATA_VERSION_TTL_S`` seconds (default 1 s). While it is fresh, a
matching ``If-None-Match`` (304) or a cached body is answered with **no query and no
transaction at all**: the body bytes come from a bounded in-process LRU (no pickling)
in front of Django's cache (which may be shared between processes). Edits made in this
process (``save()``/``delete()`` of a public model) forget the remembered version at
once and again on commit (:func:`forget_version`); edits made by other processes are
seen after at most the TTL — on top of ``max-age=60`` that clients already accept.
Concurrent misses of one key are built once (single flight), not once per thread.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import selectors

MAX_AGE_S = 60
CACHE_TTL_S = 600
#: bodies larger than this are not cached (the ETag still works)
CACHE_MAX_BYTES = 8 * 1024 * 1024
#: default of ``settings.PUBLIC_DATA_VERSION_TTL_S`` (0 = query the version every time)
VERSION_TTL_S = 1.0
#: while one thread re-reads an expired version, others keep it this much longer
VERSION_GRACE_S = 2.0
#: default of ``settings.PUBLIC_LOCAL_CACHE_BYTES``: in-process LRU of response bodies
LOCAL_CACHE_BYTES = 128 * 1024 * 1024


# ---------------------------------------------------------------------------
# The data version, remembered for a short time in this process
# ---------------------------------------------------------------------------
class _VersionMemo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: database name -> (monotonic time read, version)
        self._seen: dict[str, tuple[float, str]] = {}
        self._generation = 0
        self._refreshing = threading.Lock()

    @staticmethod
    def _db() -> str:
        return str(connection.settings_dict.get("NAME"))

    @staticmethod
    def ttl() -> float:
        return float(getattr(settings, "PUBLIC_DATA_VERSION_TTL_S", VERSION_TTL_S))

    def fresh(self) -> str | None:
        hit = self._seen.get(self._db())
        if hit is None:
            return None
        ttl = self.ttl()
        age = time.monotonic() - hit[0]
        if age < ttl:
            return hit[1]
        if ttl > 0 and age < ttl + VERSION_GRACE_S and self._refreshing.locked():
            # another thread is querying the version right now: do not pile up
            return hit[1]
        return None

    def refresh(self) -> str:
        """Query the version (caller holds a :func:`selectors.public_query`)."""
        gen = self._generation
        t0 = time.monotonic()
        flag = self._refreshing.acquire(blocking=False)
        try:
            version = selectors.data_version()
        finally:
            if flag:
                self._refreshing.release()
        with self._lock:
            # an edit seen while querying: do not remember a possibly older version
            if gen == self._generation:
                self._seen[self._db()] = (t0, version)
        return version

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._seen.clear()


_version = _VersionMemo()


def forget_version(*_args, **_kwargs) -> None:
    """Signal receiver: a public table changed in this process.

    Forget now (this thread sees its own edit) and again on commit (other threads
    must not keep a version read before the commit for the whole TTL).
    """
    _version.forget()
    if connection.in_atomic_block:
        transaction.on_commit(_version.forget)


# ---------------------------------------------------------------------------
# Bodies: in-process LRU in front of Django's cache
# ---------------------------------------------------------------------------
class _LocalLRU:
    """Response bodies by key, bounded by total bytes; thread-safe, no pickling."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0

    @staticmethod
    def limit() -> int:
        return int(getattr(settings, "PUBLIC_LOCAL_CACHE_BYTES", LOCAL_CACHE_BYTES))

    def get(self, key: str) -> bytes | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            if hit[0] < time.monotonic():
                self._bytes -= len(self._data.pop(key)[1])
                return None
            self._data.move_to_end(key)
            return hit[1]

    def set(self, key: str, body: bytes, ttl: float) -> None:
        limit = self.limit()
        if len(body) > limit:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._data[key] = (time.monotonic() + ttl, body)
            self._bytes += len(body)
            while self._bytes > limit and self._data:
                self._bytes -= len(self._data.popitem(last=False)[1][1])

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0


_local = _LocalLRU()
_flights_lock = threading.Lock()
_flights: dict[str, threading.Lock] = {}


def clear_local() -> None:
    """Forget the remembered version and the in-process bodies (tests)."""
    _version.forget()
    _local.clear()


def _lookup(key: str) -> bytes | None:
    body = _local.get(key)
    if body is None:
        body = cache.get(key)
        if body is not None:
            _local.set(key, body, CACHE_TTL_S)
    return body


def _store(key: str, body: bytes) -> None:
    if len(body) <= CACHE_MAX_BYTES:
        _local.set(key, body, CACHE_TTL_S)
        cache.set(key, body, CACHE_TTL_S)


@contextmanager
def _single_flight(key: str, timeout: float) -> Iterator[None]:
    """One builder per key in this process; the others wait (bounded) and re-check."""
    with _flights_lock:
        lock = _flights.setdefault(key, threading.Lock())
    got = lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        if got:
            lock.release()
            with _flights_lock:
                if _flights.get(key) is lock and not lock.locked():
                    del _flights[key]


# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------
def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def unavailable() -> HttpResponse:
    resp = JsonResponse(
        {"detail": "query took too long, try a smaller area"}, status=503
    )
    resp["Retry-After"] = "5"
    resp["Cache-Control"] = "no-store"
    return resp


def _digest(name: str, version: str, params: dict) -> str:
    return hashlib.sha1(
        json.dumps([name, version, params], sort_keys=True, default=str).encode()
    ).hexdigest()[:24]


def _finish(resp: HttpResponse, etag: str, max_age: int) -> HttpResponse:
    resp["ETag"] = etag
    resp["Cache-Control"] = f"public, max-age={max_age}"
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def _current_digest(name: str, params: dict) -> str:
    version = _version.fresh()
    if version is None:
        with selectors.public_query():
            version = _version.refresh()
    return _digest(name, version, params)


def _body(
    key: str,
    build: Callable[..., bytes | str],
    prepare: Callable[[], Any] | None = None,
) -> bytes:
    body = _lookup(key)
    if body is None:
        wait = selectors.STATEMENT_TIMEOUT_MS / 1000 + 1
        with _single_flight(key, wait):
            body = _lookup(key)  # built meanwhile by another thread?
            if body is None:
                # ``prepare`` runs as the application (aggregates that need private
                # inputs, e.g. the programme's scope); everything else as the role
                args = () if prepare is None else (prepare(),)
                with selectors.public_query():
                    body = build(*args)
                if isinstance(body, str):
                    body = body.encode()
                _store(key, body)
    return body


def cached_response(
    request: HttpRequest,
    *,
    name: str,
    params: dict,
    build: Callable[..., bytes | str],
    content_type: str,
    max_age: int = MAX_AGE_S,
    prepare: Callable[[], Any] | None = None,
) -> HttpResponse:
    """Serve ``build()`` with ETag/304 and a version-keyed cache, under statement timeout.

    ``params`` must already be validated (done before any query). ``prepare`` (on a
    miss only) computes, outside the public role, aggregates that ``build`` receives.
    """
    try:
        digest = _current_digest(name, params)
        etag = f'"{digest}"'
        if _etag_matches(request, etag):
            return _finish(HttpResponse(status=304), etag, max_age)
        body = _body(f"public:{digest}", build, prepare)
    except selectors.PublicQueryTimeout:
        return unavailable()
    return _finish(HttpResponse(body, content_type=content_type), etag, max_age)


def cached_data(
    name: str,
    params: dict,
    build: Callable[..., Any],
    prepare: Callable[[], Any] | None = None,
) -> Any:
    """``build()`` (JSON-able data) through the same version-keyed caches, for pages.

    Raises :class:`selectors.PublicQueryTimeout` like the selectors themselves.
    """
    digest = _current_digest(name, params)
    body = _body(
        f"public:{digest}",
        lambda *args: json.dumps(build(*args), ensure_ascii=False, default=str),
        prepare,
    )
    return json.loads(body)
