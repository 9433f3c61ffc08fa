"""What every source layer shares: the SRID, LayerModel and its spatial Meta."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.validation import validate_geometry

SRID = settings.SRID


class LayerModel(models.Model):
    """Common fields: a stable code, timestamps, provenance; geometry checks in ``clean``."""

    geom_types: tuple[str, ...] = ()
    #: columns only roles that see private data read (accounts.permissions
    #: PRIVATE_READERS): every API, export and editor of the layer leaves them out
    #: for the others
    private_fields: tuple[str, ...] = ()
    #: the other geometry fields ``clean`` checks, with their allowed types
    extra_geometries: dict[str, tuple[str, ...]] = {}

    code = models.CharField(_("编码"), max_length=64, unique=True)
    # optimistic concurrency: a save must name the version it started from
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    source_crs = models.CharField(_("来源坐标系"), max_length=64, blank=True)
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, 'name', '') or self.code}"

    @classmethod
    def geometry_checks(cls) -> dict[str, tuple[str, ...]]:
        """Geometry field → allowed types: what ``clean`` validates (imports too)."""
        return {"geom": cls.geom_types, **cls.extra_geometries}

    def clean(self) -> None:
        super().clean()
        for name, allowed in self.geometry_checks().items():
            validate_geometry(getattr(self, name), allowed=allowed)


def _spatial_meta(prefix: str, *, geom: str = "geom") -> dict:
    """GiST index and validity constraint for a geometry field (Geotrek's pattern)."""
    return {
        "indexes": [GistIndex(name=f"{prefix}_{geom}_gist", fields=[geom])],
        "constraints": [
            models.CheckConstraint(
                condition=Q(**{f"{geom}__isvalid": True}),
                name=f"{prefix}_{geom}_is_valid",
            )
        ],
    }
