"""The drills' world: a throwaway cluster, a small demo city as a template database,
and the production stack (scripts/serve_prod.sh: gunicorn + WhiteNoise, prod settings)
and analysis workers started as real processes against copies of it.

Everything here is real: PostgreSQL is stopped and started, workers are SIGKILLed,
disks fill up (a small tmpfs in a private mount namespace). Run with ``make drills``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from .cluster import Cluster, free_port

REPO = Path(__file__).resolve().parents[2]
PY = str(REPO / ".venv" / "bin" / "python")
TEMPLATE = "drill_city"
PASSWORD = "drill-Password-2026"
PLANNERS = ("planner_a", "planner_b")


@pytest.fixture(scope="session")
def drill_dir() -> Path:
    base = REPO / ".pgdata" / f"drills-{os.getpid()}"
    base.mkdir(parents=True, exist_ok=True)
    yield base
    subprocess.run(["rm", "-rf", str(base)], check=False)


@pytest.fixture(scope="session")
def cluster(drill_dir):
    c = Cluster(drill_dir / "pg")
    c.start()
    c.sql("CREATE ROLE geoapp LOGIN SUPERUSER")
    yield c
    c.destroy()


def base_env(cluster: Cluster, db: str, drill_dir: Path, **extra: str) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="geoapp.settings.prod",
        DATABASE_URL=cluster.url(db),
        DJANGO_SECRET_KEY="drill-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        GEOAPP_MEDIA_ROOT=str(drill_dir / "media"),
        GEOAPP_RASTER_ROOT=str(drill_dir / "media" / "rasters"),
        GEOAPP_STATIC_ROOT=str(drill_dir / "static"),
        GEOAPP_STATE_DIR=str(drill_dir / f"state-{db}"),
        GEOAPP_WORKER_HEARTBEAT_S="1",
        GEOAPP_WORKER_STALE_S="4",
        GEOAPP_ROUTING_WORKERS="1",
        GEOAPP_RATELIMIT_ENABLE="false",
        GEOAPP_LOG_FORMAT="json",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, check: bool = True, timeout: float = 300):
    done = subprocess.run(
        [PY, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and done.returncode:
        msg = f"manage.py {args[0]} failed ({done.returncode}):\n{done.stderr[-1200:]}"
        raise AssertionError(msg)
    return done


def shell(env: dict, code: str) -> str:
    """Run Python in a Django shell of ``env``; its stdout."""
    return manage(env, "shell", "-c", code).stdout.strip()


@pytest.fixture(scope="session")
def city(cluster, drill_dir) -> str:
    """The template database: migrated, the small demo city, two city-level planners
    and one finished life-circle run (what siting starts from)."""
    cluster.sql(f'CREATE DATABASE "{TEMPLATE}" OWNER geoapp')
    env = base_env(cluster, TEMPLATE, drill_dir)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "make_demo", "--seed", "42", "--scale", "small")
    shell(
        env,
        "from django.contrib.auth import get_user_model as g\n"
        + "".join(
            f"g().objects.create_superuser({n!r}, '{n}@example.org', {PASSWORD!r})\n"
            for n in PLANNERS
        ),
    )
    manage(env, "lifecircle", "--no-progress")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    return TEMPLATE


@pytest.fixture
def db_copy(cluster, city, request) -> str:
    """A fresh copy of the demo city for one test."""
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    name = f"drill_{request.node.originalname[:30].lower()}_{digest}"
    cluster.copy(city, name)
    yield name
    cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Process:
    """A process in its own session, stopped (or killed) with everything it forked."""

    def __init__(self, args, env, log: Path, wrap: list[str] | None = None) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [*(wrap or []), *args],
            cwd=REPO,
            env=env,
            stdout=open(log, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self, sig=signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        if self.proc.poll() is None:
            self.kill(signal.SIGKILL)


class Stack:
    """scripts/serve_prod.sh (gunicorn, prod settings) on a free loopback port."""

    def __init__(self, env: dict, log: Path, wrap: list[str] | None = None) -> None:
        self.port = free_port()
        env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        env.setdefault("GEOAPP_SERVE_WORKER", "0")
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = Process(["scripts/serve_prod.sh"], env, log, wrap)
        self.wait_up()

    def wait_up(self, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.proc.poll() is not None:
                raise RuntimeError(f"the stack exited: {self.process.log.read_text()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/health/", timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not come up: {self.process.log.read_text()}")

    def gunicorn_master(self) -> int:
        out = subprocess.run(
            ["pgrep", "-s", str(self.process.pid), "-f", "gunicorn --config"],
            capture_output=True,
            text=True,
        ).stdout.split()
        return min(int(p) for p in out)


@pytest.fixture
def stack_factory(drill_dir):
    stacks: list[Stack] = []

    def start(env: dict, wrap: list[str] | None = None) -> Stack:
        stack = Stack(env, drill_dir / f"stack-{len(stacks)}.log", wrap)
        stacks.append(stack)
        return stack

    yield start
    for s in stacks:
        s.process.stop()


@pytest.fixture
def worker_factory(drill_dir):
    workers: list[Process] = []

    def start(env: dict, name: str) -> Process:
        w = Process(
            [
                PY,
                "manage.py",
                "analysis_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--worker-id",
                name,
            ],
            env,
            drill_dir / f"worker-{name}.log",
        )
        workers.append(w)
        return w

    yield start
    for w in workers:
        w.stop()


def wait_for(predicate, timeout: float = 60, every: float = 0.2, what: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what or predicate}")


class Client:
    """An HTTP client that signs in over plain HTTP on loopback: the production
    cookies are Secure, which browsers accept on localhost but requests does not
    send over http, so they are sent by hand."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def _cookies(self) -> dict:
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)}

    def request(self, method: str, path: str, **kw):
        headers = {**self._cookies(), **kw.pop("headers", {})}
        token = self.http.cookies.get("csrftoken")
        if token and method != "GET":
            headers["X-CSRFToken"] = token
        kw.setdefault("timeout", 60)
        return self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, **kw
        )

    def login(self, username: str, password: str = PASSWORD) -> Client:
        self.request("GET", "/accounts/login/")
        r = self.request(
            "POST",
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.http.cookies.get("csrftoken"),
            },
        )
        assert r.status_code == 302, r.text[:500]
        return self
