"""The source layers app (nothing computed lives here)."""

from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "空间图层"
