"""Deployment checks of the access policy: no demo accounts in production."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from .demo import DEMO_PASSWORD, DEMO_USERNAMES


@register(Tags.security, deploy=True)
def demo_accounts_off(app_configs, **kwargs):
    """``check --deploy`` refuses demo accounts: the setting, and rows that still
    carry the demo password (when the database can be reached)."""
    errors = []
    if settings.GEOAPP_DEMO_ACCOUNTS:
        errors.append(
            Error(
                "GEOAPP_DEMO_ACCOUNTS is on: demo accounts are for development only.",
                hint="Use geoapp.settings.prod (it turns them off).",
                id="accounts.E001",
            )
        )
    try:
        users = list(get_user_model().objects.filter(username__in=DEMO_USERNAMES)[:10])
    except DatabaseError:
        return errors  # no database at check time (CI builds): the setting is checked
    demo = [u.username for u in users if u.check_password(DEMO_PASSWORD)]
    if demo:
        errors.append(
            Error(
                f"demo accounts with the demo password exist: {', '.join(demo)}",
                hint="Delete them or change their passwords before deploying.",
                id="accounts.E002",
            )
        )
    return errors
