"""The operations URLs have the roles they were given for a reason (every URL being in
the table is tests/accounts/test_policy.py)."""

from __future__ import annotations

from accounts.permissions import ANONYMOUS, MONITOR
from accounts.policy import POLICY


def test_operations_entries():
    assert POLICY["health"].public  # the load balancer polls it without a login
    assert POLICY["health"].roles("POST") is None
    metrics = POLICY["metrics"].roles("GET")
    assert ANONYMOUS not in metrics and MONITOR in metrics
    assert POLICY["analysis-run-requeue"].roles("POST") == POLICY[
        "lifecircle-runs"
    ].roles("POST")
