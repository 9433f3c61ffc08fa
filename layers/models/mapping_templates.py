"""Named column mappings for a layer, saved from the upload page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class MappingTemplate(models.Model):
    """字段映射模板 — a named column mapping for a layer, saved from the upload page.

    ``mapping`` is the mapping-file form (``fields``, ``values``, ``key``, ``ignore``;
    :meth:`layers.io.mapping.FieldMapping.to_dict`), so a template exports as a YAML
    mapping file and back.
    """

    name = models.CharField(_("名称"), max_length=64)
    layer = models.CharField(_("图层"), max_length=32)
    mapping = models.JSONField(_("字段映射"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("字段映射模板")
        verbose_name_plural = _("字段映射模板")
        ordering = ["layer", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["layer", "name"], name="mappingtemplate_layer_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.layer})"
