"""Every URL pattern has an entry in the access policy table; the operations URLs
have the roles they were given for a reason."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.permissions import ANONYMOUS, MONITOR
from accounts.policy import POLICY, access_for


def names(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from names(p, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else None


def test_every_url_pattern_is_in_the_policy():
    missing = sorted({n or "<unnamed>" for n in names() if access_for(n) is None})
    assert missing == []


def test_operations_entries():
    assert POLICY["health"].public  # the load balancer polls it without a login
    assert POLICY["health"].roles("POST") is None
    metrics = POLICY["metrics"].roles("GET")
    assert ANONYMOUS not in metrics and MONITOR in metrics
    assert POLICY["analysis-run-requeue"].roles("POST") == POLICY[
        "lifecircle-runs"
    ].roles("POST")
