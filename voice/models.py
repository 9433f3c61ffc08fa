"""A resident's suggestion or complaint about a community or a project (四(一)2, 六(四)).

Posted anonymously on the public map; ``contact`` is private (never in any public
response: the public role reads only the view ``voice_publishedsuggestion`` of
migration 0002, which has no contact column and only published rows). Street staff of
the community's street, the district's planners and city administrators moderate:
publish with a reply, or reject (:mod:`voice.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models import Community, District
from programme.models import Project

TEXT_MIN = 5
TEXT_MAX = 1000
CONTACT_MAX = 64
REPLY_MAX = 2000


class Topic(models.TextChoices):
    LIFT = "lift", _("加装电梯")
    PARKING = "parking", _("停车")
    GREENING = "greening", _("绿化")
    SAFETY = "safety", _("安全")
    PIPES = "pipes", _("管网")
    PROPERTY = "property", _("物业")
    WORKS = "works", _("施工")
    OTHER = "other", _("其他")


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", _("意见建议")
    COMPLAINT = "complaint", _("投诉")


class Status(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开答复")
    REJECTED = "rejected", _("不予公开")


class Suggestion(models.Model):
    """留言/建议 — one message of a resident, its moderation and the public reply."""

    community = models.ForeignKey(
        Community,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("小区"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("项目"),
    )
    #: the district that moderates (of the community, or of a block project)
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("区县"),
    )
    topic = models.CharField(_("主题"), max_length=16, choices=Topic.choices)
    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind.choices, default=Kind.SUGGESTION
    )
    text = models.TextField(_("内容"), max_length=TEXT_MAX)
    #: private: never public, never in the history table
    contact = models.CharField(
        _("联系方式（不公开）"), max_length=CONTACT_MAX, blank=True
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    reply = models.TextField(_("答复"), max_length=REPLY_MAX, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["contact"])

    class Meta:
        verbose_name = _("居民意见")
        verbose_name_plural = _("居民意见")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_topic_display()} {self.get_status_display()}"
