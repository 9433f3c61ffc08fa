"""连片改造: bundling runs and the planner's renovation blocks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlocksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blocks"
    verbose_name = _("连片改造片区")

    def ready(self) -> None:
        from blocks import selectors, services
        from programme import scope
        from runs.registry import RunKind, district_scope, run_kind_register

        scope.blocks_provide(
            scope.BlockSource(
                partners=selectors.block_partners,
                members=selectors.active_block_members,
            )
        )

        run_kind_register(
            RunKind(
                "bundling",
                validate=services.bundle_validate,
                execute=services.bundle_run,
                scope=district_scope,
            )
        )
