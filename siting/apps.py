"""Idle plots for missing amenities: rank idle land and vacant public housing (Issue 7)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "siting"
    verbose_name = _("闲置用地选址")

    def ready(self) -> None:
        from runs.registry import RunKind, run_kind_register
        from siting import services

        run_kind_register(
            RunKind(
                "siting",
                validate=services.siting_validate,
                execute=services.siting_execute,
                scope=lambda kw: list(kw.get("districts") or ()) or None,
            )
        )
