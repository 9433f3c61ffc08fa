"""The 15-minute life circle: runs, results, what-if and exports over the layers."""

from django.apps import AppConfig


class LifecircleConfig(AppConfig):
    name = "lifecircle"
    verbose_name = "15分钟生活圈"

    def ready(self) -> None:
        from lifecircle import services
        from runs.registry import RunKind, district_scope, run_kind_register

        run_kind_register(
            RunKind(
                "lifecircle",
                validate=services.lifecircle_validate,
                execute=services.lifecircle_run,
                scope=district_scope,
                reports_progress=True,
            )
        )
