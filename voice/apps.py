from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    """居民意见 — suggestions and complaints from the public map, a moderation queue."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "voice"
    verbose_name = _("居民意见")
