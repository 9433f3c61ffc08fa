"""Finding a feature from the planner's search box: communities by name, code, address
and 社区 (residents' committee), amenities by name (or category), planning areas by name.

Every word of the query must match one of a feature's searched fields (``海曙 幼儿园``:
a kindergarten in 海曙区). Hits are ranked per kind: the name or code equal to the query
first, then names starting with it, names containing it, then the other fields (社区
and address equal, starting with, containing the query), then the category; within a
rank the actor's own district first (district planners and street staff work there),
then shorter names. Each kind is limited (:data:`LIMITS`).

Reading is as for every other planner read (``accounts.policy``: ``planner-search``
signed-in, no private column): the whole city is found, the actor's district ranks
first; nothing private (internal notes, plan flags) is searched or returned."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope, PointOnSurface, Transform
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, Length
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from layers.models import Amenity, Community, District

from .models import PlanningArea

MAX_LENGTH = 64
MAX_WORDS = 4
#: results per kind, in the order the kinds are listed
LIMITS = {"community": 10, "amenity": 8, "planning_area": 5}
#: the rank of a hit whose name is not what matched
OTHER = 9


class QueryError(ValueError):
    """The query cannot be searched (too long): the message says why."""


def clean_query(raw: str | None) -> str:
    """The query as searched: control characters (NUL among them, which PostgreSQL
    refuses) become spaces, runs of spaces one; at most :data:`MAX_LENGTH` characters."""
    text = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch for ch in raw or ""
    )
    text = " ".join(text.split())
    if len(text) > MAX_LENGTH:
        raise QueryError(_("搜索词最长 %(n)d 个字符。") % {"n": MAX_LENGTH})
    return text


@dataclass(frozen=True)
class Field:
    """A searched column: its rank when equal to / starting with / containing the query."""

    path: str
    exact: int
    prefix: int
    contains: int


COMMUNITY_FIELDS = (
    Field("code", 0, OTHER, OTHER),
    Field("name", 0, 1, 2),
    Field("committee", 3, 4, 5),
    Field("address", 3, 4, 5),
    Field("district_name", OTHER, OTHER, OTHER),
    Field("street__name", OTHER, OTHER, OTHER),
)
AMENITY_FIELDS = (
    Field("code", 0, OTHER, OTHER),
    Field("name", 0, 1, 2),
    Field("category__name", 6, 6, 7),
)
AREA_FIELDS = (
    Field("code", 0, OTHER, OTHER),
    Field("name", 0, 1, 2),
)


def _matching(
    qs: QuerySet, fields: tuple[Field, ...], words: list[str], located: bool = False
) -> QuerySet:
    """Every word in one of the fields or, for the kinds without a district column
    (``located``), the name of the district holding the feature."""
    for word in words:
        any_field = Q()
        for f in fields:
            any_field |= Q(**{f"{f.path}__icontains": word})
        if located:
            named = District.objects.filter(name__icontains=word).values("pk")
            if named.exists():
                inside = District.objects.filter(
                    pk__in=named, geom__contains=OuterRef("geom")
                )
                any_field |= Q(Exists(inside))
        qs = qs.filter(any_field)
    return qs


def _inside_own(actor: Actor) -> Case:
    """0 for a feature inside the actor's own district (not city-wide roles), else 1:
    one point-in-polygon test per row, against one district."""
    if actor.district_id is None or actor.city_wide:
        return Value(1, output_field=IntegerField())
    own = District.objects.filter(pk=actor.district_id, geom__contains=OuterRef("geom"))
    return Case(
        When(Exists(own), then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def _district_names(model, rows) -> dict:
    """The name of the district holding each row's geometry, read for the hits only."""
    names = model.objects.filter(pk__in=[r.pk for r in rows]).annotate(
        n=Subquery(_district_of("geom").values("name")[:1])
    )
    return dict(names.values_list("pk", "n"))


def _rank(fields: tuple[Field, ...], q: str, words: list[str]):
    """The best rank of any field against the whole query or one of its words."""
    if len(words) > 1:
        return Least(*(_rank(fields, t, [t]) for t in [q, *words]))
    whens = []
    for level in ("exact", "prefix", "contains"):
        lookup = {"exact": "iexact", "prefix": "istartswith", "contains": "icontains"}
        for f in fields:
            rank = getattr(f, level)
            if rank < OTHER:
                whens.append((rank, Q(**{f"{f.path}__{lookup[level]}": q})))
    whens.sort(key=lambda w: w[0])
    return Case(
        *(When(cond, then=Value(rank)) for rank, cond in whens),
        default=Value(OTHER),
        output_field=IntegerField(),
    )


def _own(district_path: str, actor: Actor) -> Case:
    """0 for the actor's own district (not city-wide roles), else 1."""
    if actor.district_id is None or actor.city_wide:
        return Value(1, output_field=IntegerField())
    return Case(
        When(**{district_path: actor.district_id}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _district_of(point: str):
    """The district holding a feature's point (amenities and areas have no district
    column; an area's is its point on surface)."""
    return District.objects.filter(geom__contains=OuterRef(point))


def _located(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        bounds=Transform(Envelope("geom"), settings.API_SRID),
        point=Transform(PointOnSurface("geom"), settings.API_SRID),
    )


def _bbox(row) -> list[float]:
    w, s, e, n = row.bounds.extent
    return [round(v, 7) for v in (w, s, e, n)]


def _matched(row, fields: tuple[Field, ...], words: list[str]) -> str:
    """The first field besides name and code that a word matched ("" when the name or
    code did): the UI says "地址：…" under the name."""
    for f in fields:
        value = _value(row, f.path)
        if any(w.lower() in str(value or "").lower() for w in words):
            return "" if f.path in ("name", "code") else f.path
    return ""


def _value(row, path: str):
    for part in path.split("__"):
        row = getattr(row, part, None)
    return row


def _hit(layer: str, row, **extra) -> dict:
    return {
        "layer": layer,
        "code": row.code,
        "name": row.name,
        "lon": round(row.point.x, 7),
        "lat": round(row.point.y, 7),
        "bbox": _bbox(row),
        **extra,
    }


def _communities(q: str, words: list[str], actor: Actor) -> list[dict]:
    qs = Community.objects.annotate(district_name=F("district__name"))
    qs = _matching(qs, COMMUNITY_FIELDS, words).select_related("district", "street")
    qs = _located(qs).annotate(
        rank=_rank(COMMUNITY_FIELDS, q, words),
        own=_own("district_id", actor),
        length=Length("name"),
    )
    out = []
    for c in qs.order_by("rank", "own", "length", "name", "code")[
        : LIMITS["community"]
    ]:
        matched = _matched(c, COMMUNITY_FIELDS, words)
        out.append(
            _hit(
                "community",
                c,
                district=c.district.name,
                street=c.street.name if c.street else "",
                committee=c.committee,
                address=c.address,
                stage=c.stage,
                matched=matched if matched in ("committee", "address") else "",
            )
        )
    return out


def _amenities(q: str, words: list[str], actor: Actor) -> list[dict]:
    qs = _matching(Amenity.objects.all(), AMENITY_FIELDS, words, located=True)
    qs = _located(qs.select_related("category")).annotate(
        rank=_rank(AMENITY_FIELDS, q, words),
        own=_inside_own(actor),
        length=Length("name"),
    )
    rows = list(
        qs.order_by("rank", "own", "length", "name", "code")[: LIMITS["amenity"]]
    )
    districts = _district_names(Amenity, rows)
    out = []
    for a in rows:
        # the rule set's name, translated where the catalog has it (category_labels)
        category = _(a.category.name)
        out.append(
            _hit(
                "amenity",
                a,
                name=a.name or category,
                district=districts.get(a.pk) or "",
                category=a.category.code,
                category_name=category,
                matched="category"
                if _matched(a, AMENITY_FIELDS, words) == "category__name"
                else "",
            )
        )
    return out


def _areas(q: str, words: list[str], actor: Actor) -> list[dict]:
    qs = PlanningArea.objects.annotate(inside=PointOnSurface("geom")).annotate(
        district_name=Coalesce(
            Subquery(_district_of("inside").values("name")[:1]), Value("")
        )
    )
    qs = _located(_matching(qs, AREA_FIELDS, words)).annotate(
        rank=_rank(AREA_FIELDS, q, words), length=Length("name")
    )
    return [
        _hit("planning_area", a, district=a.district_name)
        for a in qs.order_by("rank", "length", "name", "code")[
            : LIMITS["planning_area"]
        ]
    ]


def search(raw: str | None, actor: Actor) -> list[dict]:
    """The hits for a query, grouped by kind (communities, amenities, planning areas),
    each group ranked; [] for an empty query. QueryError for one too long."""
    q = clean_query(raw)
    if not q:
        return []
    words = q.split()[:MAX_WORDS]
    return [
        *_communities(q, words, actor),
        *_amenities(q, words, actor),
        *_areas(q, words, actor),
    ]
