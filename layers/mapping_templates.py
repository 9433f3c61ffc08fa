"""Named field-mapping templates (字段映射模板): saved from the upload page, reused.

A template holds a mapping in the mapping-file form; using one is the same as giving
that file. Saving needs the right to import (city administrators and district planners); a
template of that name for that layer is replaced.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import PLANNERS, require, user_of
from layers.io.errors import ImportRejected
from layers.io.mapping import FieldMapping, layer_synonyms, load_mapping
from layers.io.schemas import layer_schema

from .models import MappingTemplate


def mapping_template_list(*, layer: str | None = None):
    qs = MappingTemplate.objects.all()
    return qs.filter(layer=layer) if layer else qs


def mapping_template_mapping(template: MappingTemplate) -> FieldMapping:
    """The template as a :class:`FieldMapping` (its entries marked ``template``)."""
    fmap = load_mapping(dict(template.mapping))
    fmap.how = dict.fromkeys(fmap.fields, f"template {template.name}")
    return fmap


@transaction.atomic
def mapping_template_save(
    *, user, layer: str, name: str, mapping: FieldMapping
) -> MappingTemplate:
    """Save ``mapping`` as the template ``name`` of ``layer`` (replacing one of that name).

    Raises ``PermissionDenied`` for users who may not import and
    :class:`~layers.io.errors.ImportRejected` (``bad_mapping``) for a bad name or
    targets that are not columns of the layer.
    """
    require(user, PLANNERS, _("保存字段映射模板"))
    name = (name or "").strip()
    if not name or len(name) > 64:
        msg = _("模板名称须为 1–64 个字符。")
        raise ImportRejected(msg, code="bad_mapping")
    columns = layer_schema(layer)["columns"]
    bad = sorted(
        {t for t in mapping.fields.values() if t not in columns}
        | {t for t in mapping.values if t not in columns}
    )
    if bad:
        msg = _("映射目标不是图层 %(layer)s 的字段：%(bad)s") % {
            "layer": layer,
            "bad": ", ".join(bad),
        }
        raise ImportRejected(msg, code="bad_mapping")
    # the value maps of the synonyms table apply to every import anyway: a template
    # keeps only the entries of its own (a mapping file's)
    _syn, common = layer_synonyms(layer)
    own_values = {
        target: {k: v for k, v in vmap.items() if common.get(target, {}).get(k) != v}
        for target, vmap in mapping.values.items()
    }
    data = FieldMapping(
        fields={s: t for s, t in mapping.fields.items() if not s.startswith("__")},
        values={t: m for t, m in own_values.items() if m},
        key=mapping.key,
        ignore=mapping.ignore,
    ).to_dict()
    obj, _created = MappingTemplate.objects.update_or_create(
        layer=layer,
        name=name,
        defaults={"mapping": data, "created_by": user_of(user)},
    )
    return obj
