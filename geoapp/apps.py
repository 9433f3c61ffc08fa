"""Planning app: analyses, runs and results over the layers."""

from django.apps import AppConfig


class GeoappConfig(AppConfig):
    name = "geoapp"
    verbose_name = "规划分析"

    def ready(self) -> None:
        from geoapp import checks  # noqa: F401 - registers the storage-SRID check
        from geoapp.services import lifecircle
        from geoapp.services.runs import RunKind, district_scope, run_kind_register

        run_kind_register(
            RunKind(
                "lifecircle",
                validate=lifecircle.lifecircle_validate,
                execute=lifecircle.lifecircle_run,
                scope=district_scope,
                reports_progress=True,
            )
        )
