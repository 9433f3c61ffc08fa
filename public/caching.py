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
in front of Django's cache alias ``public`` (``PUBLIC_CACHE_ALIAS``), which production
shares between its processes (a private file cache in ``/dev/shm``, prod settings), so
a body built by one gunicorn worker or by the analysis worker serves them all. Edits
made in this process (``save()``/``delete()`` of a public model) forget the remembered
version at once and again on commit (:func:`forget_version`); edits made by other
processes are seen after at most the TTL — on top of ``max-age=60`` that clients
already accept.

Misses (issue 18, ``benchmarks/load_public.py``):

* a key is built **once across all processes**: per process one thread builds (single
  flight), and across processes the builder holds a transaction-scoped PostgreSQL
  advisory lock on the key; the others wait for its body in the shared cache
  (bounded by the statement timeout), then build themselves only if it never came;
* **stale-while-revalidate**: when the version has just changed and the body of the
  *previous* version is in the cache, it is served at once (``X-Public-Cache: stale``,
  ``max-age=0``, its own old ETag) while one background thread per process rebuilds
  the key (under the same lock, so one process builds it). Only the version this
  process saw just before the current one qualifies, and only for
  ``PUBLIC_STALE_S`` seconds (default 10) after this process last read it as current
  — so a stale body never outlives a change by more than that window. An edit made in
  this process is never answered stale here (the previous version is forgotten with it);
* the analysis worker renders the public map's first responses once after it stores a
  run (:mod:`public.warming`), so the expensive ones are usually built before a visitor
  asks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import selectors

log = logging.getLogger(__name__)

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
#: default of ``settings.PUBLIC_CACHE_ALIAS``: the Django cache shared by the processes
CACHE_ALIAS = "public"
#: default of ``settings.PUBLIC_STALE_S`` (0 = never serve the previous version)
STALE_S = 10.0
#: background rebuilds per process at once, and how many keys may wait for one
REVALIDATE_THREADS = 2
REVALIDATE_BACKLOG = 256
#: first key of the two-key advisory locks of the builders ("pub1")
LOCK_CLASS = 0x70756231
#: how often a process waiting for another process's build looks at the shared cache
WAIT_POLL_S = 0.025


# ---------------------------------------------------------------------------
# The data version, remembered for a short time in this process
# ---------------------------------------------------------------------------
class _VersionMemo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: database name -> (monotonic time read, version): the fresh one, if any
        self._seen: dict[str, tuple[float, str]] = {}
        #: database name -> (time last read as current, version), kept by forget()
        self._last: dict[str, tuple[float, str]] = {}
        #: database name -> (time last read as current, version) of the version
        #: before the current one: the only one that may be served stale
        self._previous: dict[str, tuple[float, str]] = {}
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
        db = self._db()
        with self._lock:
            seen = self._seen.get(db)
            # an edit seen while querying, or a newer read already remembered: do
            # not remember a possibly older version
            if gen == self._generation and (seen is None or seen[0] <= t0):
                self._seen[db] = (t0, version)
            last = self._last.get(db)
            if last is None or last[0] <= t0:
                if last is not None and last[1] != version:
                    self._previous[db] = last
                self._last[db] = (t0, version)
        return version

    def previous(self, window: float) -> str | None:
        """The version before the current one, if last read as current < window ago."""
        hit = self._previous.get(self._db())
        if hit is None or time.monotonic() - hit[0] >= window:
            return None
        return hit[1]

    def forget(self) -> None:
        """An edit in this process: re-read the version, and serve nothing stale."""
        with self._lock:
            self._generation += 1
            self._seen.clear()
            self._previous.clear()
            # the version read before the edit must not become "previous" either
            self._last.clear()


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
# Bodies: in-process LRU in front of Django's (shared) cache
# ---------------------------------------------------------------------------
class LocalLRU:
    """Bodies by key, bounded by total bytes (the setting ``setting``, else
    ``default``); thread-safe, no pickling. Also the planner's tile cache."""

    def __init__(
        self,
        setting: str = "PUBLIC_LOCAL_CACHE_BYTES",
        default: int = LOCAL_CACHE_BYTES,
    ) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._setting, self._default = setting, default

    def limit(self) -> int:
        return int(getattr(settings, self._setting, self._default))

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


_local = LocalLRU()
_flights_lock = threading.Lock()
_flights: dict[str, threading.Lock] = {}
#: set by :func:`shared_only` (the warming worker keeps no bodies for itself)
_scope = threading.local()


def shared_cache():
    """The Django cache the processes share (``settings.PUBLIC_CACHE_ALIAS``)."""
    return caches[getattr(settings, "PUBLIC_CACHE_ALIAS", CACHE_ALIAS)]


def clear_local() -> None:
    """Forget the remembered version and the in-process bodies (tests)."""
    _version.forget()
    _local.clear()


def clear_all() -> None:
    """:func:`clear_local` and empty the shared cache (tests)."""
    clear_local()
    shared_cache().clear()


@contextmanager
def shared_only() -> Iterator[None]:
    """Bodies built or read in this block go to the shared cache only, not the LRU."""
    _scope.shared_only = True
    try:
        yield
    finally:
        _scope.shared_only = False


def _keep_local() -> bool:
    return not getattr(_scope, "shared_only", False)


def _lookup(key: str) -> bytes | None:
    body = _local.get(key)
    if body is None:
        body = shared_cache().get(key)
        if body is not None and _keep_local():
            _local.set(key, body, CACHE_TTL_S)
    return body


def _store(key: str, body: bytes) -> None:
    if len(body) <= CACHE_MAX_BYTES:
        if _keep_local():
            _local.set(key, body, CACHE_TTL_S)
        shared_cache().set(key, body, CACHE_TTL_S)


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


def _try_lock(key: str) -> bool:
    """This process's transaction now builds ``key`` (a PostgreSQL advisory lock that
    the end of the transaction releases, also when the process dies)."""
    objid = int.from_bytes(hashlib.sha1(key.encode()).digest()[:4], "big", signed=True)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, objid])
        return bool(cur.fetchone()[0])


def _build(
    key: str, build: Callable[..., bytes | str], prepare: Callable[[], Any] | None
) -> bytes:
    # ``prepare`` runs as the application (aggregates that need private inputs, e.g.
    # the programme's scope); everything else as the public role
    args = () if prepare is None else (prepare(),)
    with selectors.public_query():
        body = build(*args)
    if isinstance(body, str):
        body = body.encode()
    _store(key, body)
    return body


def _build_once(
    key: str,
    build: Callable[..., bytes | str],
    prepare: Callable[[], Any] | None,
    *,
    wait: float,
) -> bytes | None:
    """Build ``key`` unless another process is building it.

    That process's body is awaited in the shared cache for up to ``wait`` seconds
    (then built here: it may have died or failed); ``wait=0``: None at once.
    """
    deadline = time.monotonic() + wait
    while True:
        with transaction.atomic():
            if _try_lock(key):
                body = _lookup(key)  # built meanwhile by another process?
                return body if body is not None else _build(key, build, prepare)
        if wait <= 0:
            return None
        time.sleep(WAIT_POLL_S)
        body = _lookup(key)
        if body is not None:
            return body
        if time.monotonic() >= deadline:
            return _build(key, build, prepare)


# ---------------------------------------------------------------------------
# Stale-while-revalidate: background rebuilds
# ---------------------------------------------------------------------------
_pending_lock = threading.Lock()
_pending: set[str] = set()
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pending_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=int(
                    getattr(settings, "PUBLIC_REVALIDATE_THREADS", REVALIDATE_THREADS)
                ),
                thread_name_prefix="public-revalidate",
            )
        return _pool


def _revalidate(key: str, build, prepare) -> bool:
    """Rebuild ``key`` in the background (once per process); False: backlog full."""
    with _pending_lock:
        if key in _pending:
            return True
        if len(_pending) >= REVALIDATE_BACKLOG:
            return False
        _pending.add(key)
    _executor().submit(_revalidate_job, key, build, prepare)
    return True


def _revalidate_job(key: str, build, prepare) -> None:
    try:
        if _lookup(key) is None:
            _build_once(key, build, prepare, wait=0)
    except Exception:
        # the stale body stays until the window closes; then a request builds it
        log.warning("public cache: background rebuild of %s failed", key, exc_info=True)
    finally:
        # its own connection, closed: no idle connection left behind by a rebuild
        connection.close()
        with _pending_lock:
            _pending.discard(key)


def wait_for_revalidation(timeout: float = 10.0) -> bool:
    """Wait until no background rebuild is pending (tests, warming); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _pending_lock:
            if not _pending:
                return True
        time.sleep(0.01)
    return False


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


def _current_digests(name: str, params: dict) -> tuple[str, str | None]:
    """The digest of the current version, and of the previous one while it may be
    served stale."""
    version = _version.fresh()
    if version is None:
        with selectors.public_query():
            version = _version.refresh()
    window = float(getattr(settings, "PUBLIC_STALE_S", STALE_S))
    previous = _version.previous(window) if window > 0 else None
    stale = None if previous is None else _digest(name, previous, params)
    return _digest(name, version, params), stale


def _body(
    digest: str,
    stale_digest: str | None,
    build: Callable[..., bytes | str],
    prepare: Callable[[], Any] | None = None,
) -> tuple[bytes, str]:
    """(body, "hit" | "miss" | "stale"): the stale body is the previous version's."""
    key = f"public:{digest}"
    body = _lookup(key)
    if body is not None:
        return body, "hit"
    if stale_digest is not None:
        stale = _lookup(f"public:{stale_digest}")
        if stale is not None and _revalidate(key, build, prepare):
            return stale, "stale"
    wait = selectors.STATEMENT_TIMEOUT_MS / 1000 + 1
    with _single_flight(key, wait):
        body = _lookup(key)  # built meanwhile by another thread?
        if body is not None:
            return body, "hit"
        return _build_once(key, build, prepare, wait=wait), "miss"


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
    ``X-Public-Cache`` says whether the body was cached (``hit``), built (``miss``) or
    the previous version's while it is rebuilt (``stale``, not to be kept: max-age=0).
    """
    try:
        digest, stale_digest = _current_digests(name, params)
        etag = f'"{digest}"'
        if _etag_matches(request, etag):
            return _finish(HttpResponse(status=304), etag, max_age)
        body, state = _body(digest, stale_digest, build, prepare)
    except selectors.PublicQueryTimeout:
        return unavailable()
    if state == "stale":
        etag, max_age = f'"{stale_digest}"', 0
    resp = _finish(HttpResponse(body, content_type=content_type), etag, max_age)
    resp["X-Public-Cache"] = state
    return resp


def cached_data(
    name: str,
    params: dict,
    build: Callable[..., Any],
    prepare: Callable[[], Any] | None = None,
) -> Any:
    """``build()`` (JSON-able data) through the same version-keyed caches, for pages.

    Raises :class:`selectors.PublicQueryTimeout` like the selectors themselves.
    """
    digest, stale_digest = _current_digests(name, params)
    body, _state = _body(
        digest,
        stale_digest,
        lambda *args: json.dumps(build(*args), ensure_ascii=False, default=str),
        prepare,
    )
    return json.loads(body)
