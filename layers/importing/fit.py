"""Which layers a file's geometries fit: the import page's default layer, and the
sentence that refuses a file whose geometries fit none of the chosen layer (a point
file to the districts layer) before any row is converted."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from layers import registry
from layers.importing.results import IMPORT_LAYERS
from layers.io.errors import ImportRejected
from layers.io.schemas import LAYERS

#: the file geometry types each stored type accepts (rows.py ``_adapt_geometry``:
#: a point layer takes polygons as their point on surface)
ACCEPTS: dict[str, frozenset[str]] = {
    "Point": frozenset({"Point", "MultiPoint", "Polygon", "MultiPolygon"}),
    "Polygon": frozenset({"Polygon", "MultiPolygon"}),
    "MultiPolygon": frozenset({"Polygon", "MultiPolygon"}),
    "LineString": frozenset({"LineString", "MultiLineString"}),
    "Geometry": frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString"}),
}
#: the stored type whose geometries are the file's own, per family
FAMILY = {
    "Point": "Point",
    "MultiPoint": "Point",
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
    "LineString": "LineString",
    "MultiLineString": "LineString",
}
#: the layer a planner most often means for each family, first
PREFERRED = {"Point": "amenity", "Polygon": "community", "LineString": "walk_segment"}


def family_label(family: str) -> str:
    labels = {"Point": _("点"), "Polygon": _("面"), "LineString": _("线")}
    return {**labels, "Geometry": _("面或线")}.get(family, family)


def _stored(layer: str) -> str:
    return LAYERS[layer]["geometry"]


def _family_of(layer: str) -> str:
    return FAMILY.get(_stored(layer), _stored(layer))


def vector_import_layers() -> list[str]:
    return [k for k in IMPORT_LAYERS if k in LAYERS]


def fitting_layers(types: Mapping[str, int]) -> list[str]:
    """The layers that take every geometry of the file, the likeliest first: the
    preferred layer of the file's family, then layers of that family, then others."""
    present = {t for t, n in types.items() if n}
    if not present:
        return []
    fits = [k for k in vector_import_layers() if present <= ACCEPTS[_stored(k)]]
    families = {FAMILY.get(t) for t in present}
    family = families.pop() if len(families) == 1 else None

    def rank(k: str) -> tuple[int, int]:
        return (
            0 if PREFERRED.get(family or "") == k else 1,
            0 if _family_of(k) == family else 1,
        )

    return sorted(fits, key=rank)


def _describe(types: Mapping[str, int]) -> str:
    by_family: dict[str, int] = {}
    for t, n in types.items():
        f = FAMILY.get(t, t)
        by_family[f] = by_family.get(f, 0) + n
    return "、".join(
        _("%(kind)s %(n)s 个") % {"kind": family_label(f), "n": n}
        for f, n in sorted(by_family.items())
    )


def layer_choose(types: Mapping[str, int]) -> str:
    """The default layer for a file (the first that takes all its geometries), or
    ImportRejected with a sentence when none does."""
    fits = fitting_layers(types)
    if not fits:
        raise ImportRejected(
            _(
                "文件中的要素（%(what)s）不能一起导入到任何一个图层：请按几何类型分成几个"
                "文件分别导入。"
            )
            % {"what": _describe(types) or _("无几何")},
            code="geometry_mismatch",
        )
    return fits[0]


def layer_check_fit(layer: str, types: Mapping[str, int]) -> None:
    """Refuse (ImportRejected, a sentence naming the layers that would fit) a file
    none of whose geometries the layer takes; a file with some fitting rows goes on
    (the others are rejected row by row in the report)."""
    present = {t for t, n in types.items() if n}
    if not present or present & ACCEPTS[_stored(layer)]:
        return
    fits = fitting_layers(types)
    label = registry.layer_spec(layer).label
    names = "、".join(f"“{registry.layer_spec(k).label}”" for k in fits)
    raise ImportRejected(
        _(
            "文件中的要素是%(what)s，“%(layer)s”图层需要%(want)s，未导入任何内容。"
            "%(hint)s"
        )
        % {
            "what": _describe(types),
            "layer": label,
            "want": family_label(_family_of(layer)),
            "hint": _("请改选图层：%(names)s。") % {"names": names} if names else "",
        },
        code="geometry_mismatch",
    )
