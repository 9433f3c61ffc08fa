"""What the public sees: the published snapshot of each public layer, and its publications.

The planners' tables (``layers``) change with every import and map edit; the public map,
tiles, cards, statistics and OGC API read these copies instead, which change only when
a city administrator publishes (:mod:`public.publishing`). Each snapshot row keeps the
live row's id (``source_id``) so the card can join photos, stage history, life-circle
results and works, and holds only columns the public may see (the allowlist,
:mod:`public.selectors.allowlists`), names of the district and street included, so the
public role reads no live layer table at all (migration 0004).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID


class Publication(models.Model):
    """One publish action: who, when, and per layer what it added, changed, removed."""

    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    #: {layer key: {"added": n, "changed": n, "removed": n, "total": n}}
    counts = models.JSONField(_("变更数"), default=dict)
    #: {layer stamp name: [epoch, version]} read as it began (layers.stamps): equal
    #: stamps now mean nothing waits, without comparing the tables
    stamps = models.JSONField(default=dict)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("发布")
        verbose_name_plural = _("发布")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.published_at:%Y-%m-%d %H:%M}"


class PublishedDistrict(models.Model):
    source_id = models.BigIntegerField(unique=True)
    code = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=64)
    geom = models.MultiPolygonField(srid=SRID)

    class Meta:
        ordering = ["code"]


class PublishedCommunity(models.Model):
    source_id = models.BigIntegerField(unique=True)
    code = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=128, db_index=True)
    district_code = models.CharField(max_length=64, db_index=True)
    district_name = models.CharField(max_length=64)
    street_name = models.CharField(max_length=64, null=True)
    geom = models.MultiPolygonField(srid=SRID)
    completion_year = models.PositiveSmallIntegerField()
    households = models.PositiveIntegerField()
    buildings = models.PositiveIntegerField()
    lifts = models.PositiveIntegerField()
    stage = models.CharField(max_length=24, db_index=True)
    public_notes = models.TextField(blank=True)
    dangerous_c = models.PositiveIntegerField()
    dangerous_d = models.PositiveIntegerField()
    land_tenure = models.CharField(max_length=16)
    #: only its share among renovated communities per district is public (五(二))
    property_management = models.CharField(max_length=16, default="none")

    class Meta:
        ordering = ["code"]


class PublishedAmenity(models.Model):
    """Only what the public statistics count (facilities added per district)."""

    source_id = models.BigIntegerField(unique=True)
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=128, blank=True)
    geom = models.PointField(srid=SRID)
    source = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
