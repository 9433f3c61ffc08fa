"""The renovation programme: projects, votes, stages, funding, plans (Issue 10)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programme"
    verbose_name = _("改造项目管理")

    def ready(self) -> None:
        from . import services

        #: what the public statistics read from this (optional) app: per-district
        #: aggregates of the programme's scope and dangerous buildings (一(二), 二(二)1)
        self.public_targets = services.public_targets
