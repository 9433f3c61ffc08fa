"""Planning app: analyses, runs and results over the layers."""

from django.apps import AppConfig


class GeoappConfig(AppConfig):
    name = "geoapp"
    verbose_name = "规划分析"
