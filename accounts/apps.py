"""Who may do what: roles, districts, the access policy table and the permission checks."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
