"""What an import covers and reports: the importable layers, ImportResult, ImportRefused."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from layers import registry
from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport
from layers.io.mapping import SourcePreview

#: layer name → model of the vector layers (rasters are handled separately)
LAYER_MODELS: dict[str, type[models.Model]] = {
    s.key: s.model for s in registry.LAYERS if s.vector
}
IMPORT_LAYERS = tuple(s.key for s in registry.LAYERS if s.importable)
#: layers only a city administrator may import (boundaries, rasters)
ADMIN_ONLY_LAYERS = tuple(s.key for s in registry.LAYERS if s.admin_import)
#: schema column → model foreign key
FOREIGN_KEYS = {"district_code": "district", "street_code": "street"}
GENERATED_CODE = "__generated_code__"


class ImportRefused(ImportRejected):
    """Some rows were rejected and ``skip_invalid`` was not given: nothing was written."""

    code = "rows_rejected"

    def __init__(self, message: str, *, report: ImportReport, result=None) -> None:
        super().__init__(message)
        self.report = report
        self.result = result


@dataclass
class ImportResult:
    report: ImportReport
    created: int = 0
    updated: int = 0
    layer: str = ""
    dry_run: bool = False
    #: per-layer reports and counts of an OSM import
    reports: dict[str, ImportReport] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the file's columns, the mapping used and its first rows (layers.io.mapping)
    preview: SourcePreview | None = None
    #: the layer was chosen from the file's geometry types (no layer was given)
    layer_chosen: bool = False

    def to_dict(self) -> dict:
        out = {
            "layer": self.layer,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "report": self.report.to_dict(),
        }
        if self.reports:
            out["reports"] = {k: v.to_dict() for k, v in self.reports.items()}
            out["counts"] = self.counts
        return out

    def to_text(self) -> str:
        head = (
            f"{self.layer}: {'DRY RUN, nothing written; would create' if self.dry_run else 'created'} "
            f"{self.created}, {'would update' if self.dry_run else 'updated'} {self.updated}"
        )
        if self.reports:
            parts = [head]
            for name, rep in self.reports.items():
                c = self.counts.get(name, {})
                if name == "basemap":
                    line = f"[basemap] {c.get('written', 0)} feature(s)"
                elif name == "community":
                    line = (
                        f"[community candidates] created {c.get('created', 0)}, "
                        f"updated {c.get('updated', 0)}, already reviewed "
                        f"{c.get('kept', 0)}"
                    )
                else:
                    line = (
                        f"[{name}] created {c.get('created', 0)}, "
                        f"updated {c.get('updated', 0)}"
                    )
                parts.append(line)
                parts.append(rep.to_text())
            return "\n".join(parts)
        return head + "\n" + self.report.to_text()
