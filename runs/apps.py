"""Analysis runs: one lifecycle, one registry of kinds, the queue and the worker."""

from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "runs"
    verbose_name = "分析运行"
