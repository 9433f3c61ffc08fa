"""Operations: health, metrics, request ids and JSON logs, backup and restore."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "运维"
