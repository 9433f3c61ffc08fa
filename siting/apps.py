"""Idle plots for missing amenities: rank idle land and vacant public housing (Issue 7)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "siting"
    verbose_name = _("闲置用地选址")
