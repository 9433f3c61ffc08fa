"""A change stamp per source layer, kept by statement-level triggers."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class LayerStamp(models.Model):
    """图层变更戳 — one row per source layer, kept by statement-level triggers.

    Written only by the trigger function of migration 0004 (see layers/stamps.py);
    never save these rows from Python.
    """

    layer = models.TextField(_("图层"), primary_key=True)
    epoch = models.BigIntegerField(
        _("纪元"), help_text=_("行首次写入时的随机数；清空重建后随之改变")
    )
    version = models.BigIntegerField(
        _("版本"), default=0, help_text=_("每条修改数据的语句加一")
    )
    changed_at = models.DateTimeField(
        _("最近变更时间"), null=True, blank=True, help_text=_("修改事务的开始时间")
    )

    class Meta:
        verbose_name = _("图层变更戳")
        verbose_name_plural = _("图层变更戳")
        ordering = ["layer"]

    def __str__(self) -> str:
        return f"{self.layer} {self.epoch}:{self.version}"
