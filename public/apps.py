from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save

#: models whose rows feed public responses (see ``selectors.data_version``)
VERSIONED_MODELS = (
    "public.Publication",
    "layers.CommunityPhoto",
    "runs.AnalysisRun",
    "programme.Project",
    "programme.ProjectItem",
    "programme.Vote",
    "programme.FundingSource",
)


class PublicConfig(AppConfig):
    """公众端 — the public renovation-progress map, statistics and open data."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "public"
    verbose_name = "公众端"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the database-role check (E2)

        # Edits in this process forget the remembered data version at once (the
        # version itself, not signals, is what invalidates: see public/caching.py).
        from .caching import forget_version
        from .warming import warm_after_run

        for label in VERSIONED_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_version, sender=model, dispatch_uid=f"public-{label}"
                )
        # after forget_version: the warm-up must read the new version
        post_save.connect(
            warm_after_run, sender="runs.AnalysisRun", dispatch_uid="public-warm"
        )
