"""The site: settings, URLs, the home page, the demo city and the shared checks."""

from django.apps import AppConfig


class GeoappConfig(AppConfig):
    name = "geoapp"
    verbose_name = "规划分析"

    def ready(self) -> None:
        from geoapp import checks  # noqa: F401 - registers the storage-SRID check
