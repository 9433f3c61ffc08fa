"""The access policy against the URL resolver: every pattern is in the table, every DRF
view takes its permission from it, and the role × method matrix holds on real objects
of two districts (objects of the acting user's own district and street, so that what
the table allows is never refused, and what it refuses is refused before any view)."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from accounts.drf import PolicyPermission
from accounts.policy import POLICY, access_for, public_url_names

from .city import url_args, whatif_site_a

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "street_a", "planner_a", "admin")
#: the accounts role of each test user
ROLE_OF = {
    "anonymous": "anonymous",
    "viewer": "viewer",
    "street_a": "street_staff",
    "planner_a": "district_planner",
    "admin": "city_admin",
}
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def url_patterns(resolver=None, namespace: str | None = None):
    """(view name, pattern) of every pattern the resolver serves, admin included."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, (namespace, p.namespace)))
            yield from url_patterns(p, ns or None)
        elif isinstance(p, URLPattern):
            # an unnamed pattern inside a namespace resolves to "namespace:<view path>"
            name = f"{namespace}:{p.name or p.lookup_str}" if namespace else p.name
            yield name, p


def test_every_url_pattern_is_in_the_policy_table():
    patterns = list(url_patterns())
    missing = sorted(
        {str(p.pattern) for name, p in patterns if access_for(name) is None}
    )
    print(f"\n{len(patterns)} URL patterns, {len(POLICY)} policy entries")
    assert len(patterns) > 80
    assert not missing, f"URL patterns missing from accounts/policy.py: {missing}"


def test_no_policy_entry_without_a_url():
    names = {name for name, _p in url_patterns() if name}
    namespaces = {n.split(":")[0] + ":*" for n in names if ":" in n}
    stale = sorted(set(POLICY) - names - namespaces)
    assert not stale, f"policy entries that match no URL: {stale}"


def test_every_drf_view_takes_its_permission_from_the_table():
    for name, p in url_patterns():
        cls = getattr(p.callback, "cls", None)
        if isinstance(cls, type) and issubclass(cls, APIView):
            perms = [type(x) for x in cls().get_permissions()]
            assert perms == [PolicyPermission], (name, perms)


def test_the_public_surface_is_the_public_map_only():
    public = set(public_url_names())
    internal = {
        "schema",
        "layer-communities",
        "layer-idle-land",
        "layers:export",
        "lifecircle-export",
        "siting-export",
        "siting-candidates",
        "blocks-block",
        "analysis-run",
        "planner",
        "programme-eligibility",
    }
    assert not public & internal
    for name in public - {"admin:*"}:
        assert POLICY[name].methods().keys() <= {"GET", "POST"}, name
        if "POST" in POLICY[name].methods():
            assert name in {"login", "logout", "set_language"}, name


# ----------------------------------------------------------------- the matrix
def _bodies(city) -> dict[tuple[str, str], dict]:
    """Request bodies that the services accept for a user of district A / street SA."""
    a = city["a"].code
    square = city["IA"].geom.transform(4326, clone=True)
    return {
        ("planner-features", "POST"): {
            "properties": {"name": "新地块", "kind": "idle"},
            "geometry": json.loads(square.geojson),
        },
        ("planner-feature", "PATCH"): {
            "version": city["A1"].version,
            "properties": {"public_notes": "改"},
        },
        ("planner-analysis", "POST"): {"district": a},
        ("lifecircle-runs", "POST"): {"district": a},
        ("blocks-runs", "POST"): {
            "district": a,
            "selected": "all",
            "min_households": 0,
            "max_households": 100000,
            "use_gaps": False,
        },
        ("siting-runs", "POST"): {
            "category": "elderly_daycare",
            "k": 1,
            "districts": [a],
        },
        ("siting-scenarios", "POST"): {"run": city["siting_a"].pk, "method": "exact"},
        ("siting-whatif-scenarios", "POST"): {
            "lifecircle_run": city["lifecircle"].pk,
            "sites": [whatif_site_a()],
        },
        ("programme-project-list", "POST"): {
            "name": "新项目",
            "year": 2024,
            "community": city["A2"].code,
        },
        ("programme-project-detail", "PATCH"): {"plan_design": "设计"},
        ("programme-project-advance", "POST"): {"to_stage": "application"},
        ("programme-project-items", "POST"): {"works_item": "stairwell", "quantity": 1},
    }


def _clients(city) -> dict[str, Client]:
    out = {"anonymous": Client()}
    for role in ROLES[1:]:
        c = Client()
        c.force_login(city["users"][role])
        out[role] = c
    return out


def _is_refusal(resp) -> bool:
    if resp.status_code in (403, 405):
        return True
    return resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


def test_role_by_method_matrix(city):
    args, bodies, clients = url_args(city), _bodies(city), _clients(city)
    checked = wrong = 0
    problems = []
    for name, pattern in url_patterns():
        if name.startswith("admin:"):
            continue  # the Django admin: staff accounts (tests/accounts/test_admin.py)
        kwargs = args.get(name, {})
        has_params = bool(getattr(pattern.pattern, "converters", None)) or (
            "(?P" in str(pattern.pattern)
        )
        assert bool(kwargs) == has_params, (
            f"give path arguments for {name} in city.url_args()"
        )
        url = reverse(name, kwargs=kwargs)
        if name == "public-search":
            url += "?q=小区"
        access = access_for(name)
        for method in METHODS:
            allowed = access.roles(method) or frozenset()
            body = bodies.get((name, method))
            for role in ROLES:
                client = clients[role]
                cookies = {k: m.value for k, m in client.cookies.items()}
                with transaction.atomic():
                    resp = client.generic(
                        method,
                        url,
                        json.dumps(body) if body is not None else "",
                        content_type="application/json",
                    )
                    transaction.set_rollback(True)
                client.cookies.clear()  # logout and login must not change the user
                for k, v in cookies.items():
                    client.cookies[k] = v
                checked += 1
                refused = _is_refusal(resp)
                if (ROLE_OF[role] in allowed) == refused:
                    wrong += 1
                    body_start = b"" if resp.streaming else resp.content[:160]
                    problems.append((name, method, role, resp.status_code, body_start))
    print(f"\n{checked} requests over {len(ROLES)} roles × {len(METHODS)} methods")
    assert not problems, problems[:20]
    assert checked >= 1800 and wrong == 0
