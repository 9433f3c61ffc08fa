"""Exact per-layer change stamps, kept by PostgreSQL triggers and read in one query.

Each source layer has one row in ``layers_layerstamp``: ``(epoch, version, changed_at)``.
Migration 0004 puts an ``AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE … FOR EACH
STATEMENT`` trigger on every table of :data:`LAYERS`. The trigger passes the layer name
(``TG_ARGV[0]``) to one PL/pgSQL function, which upserts the row::

    INSERT INTO layers_layerstamp (layer, epoch, version, changed_at)
    VALUES (TG_ARGV[0], <random bigint>, 1, now())
    ON CONFLICT (layer) DO UPDATE SET version = version + 1, changed_at = now()

Equal stamps mean unchanged rows, so the stamps key in-process caches (walk network,
amenities). Reading them costs about a millisecond, where aggregating the tables
themselves cost 0.2–0.45 s at city scale.

Design notes
------------
*Why statement-level triggers.* One upsert per statement, not per row: a ``COPY`` of
10⁵ walk segments or a ``QuerySet.update()`` costs one extra row write. Every write
path fires them: the ORM (``save()``, ``bulk_create``, ``QuerySet.update()`` even when it
leaves ``updated_at`` alone, ``delete()``), raw SQL, ``COPY … FROM STDIN``
(layers/dbcopy.py) and ``TRUNCATE``. A statement that touches no row (an UPDATE whose
WHERE matches nothing) bumps the version too; that only costs a cache re-read.

*Why an epoch.* ``version`` alone could repeat: Django's test flush, or an operator,
may ``TRUNCATE`` the stamp table, after which the versions restart at 1. The next
change then inserts a fresh row with a new random ``epoch`` (52 bits from
``gen_random_uuid()``), so a stale ``(epoch, version)`` never matches again. A layer
without a row reads as ``(None, 0, None)``, which a real row never equals.

*Locking and visibility.* The upsert holds the layer's stamp row lock until the writing
transaction ends. Hence the stamp becomes visible exactly when the data does, and a
rolled-back transaction leaves the stamp unchanged. The price: concurrent writers of the
*same* layer are serialised from their first statement on that layer until commit (a
long import blocks an admin edit of that layer), and two transactions that write two
layers in opposite orders can deadlock, where PostgreSQL aborts one of them. Writers of
different layers do not wait for each other. Read the stamps *before* the data: a
change committed in between then merely causes a re-read later, never stale data under
a new stamp.

*Time.* ``changed_at`` is ``now()``, the start of the changing transaction, not its
commit. The migration seeds version 0 with the table's newest ``updated_at``, so
:func:`data_time` continues the old ``max(updated_at)`` until the first change.

*Bypasses.* ``SET session_replication_role = replica`` (as ``pg_restore
--disable-triggers`` does) and ``ALTER TABLE … DISABLE TRIGGER`` skip the triggers:
changes made so are invisible to the stamps. After such a load, bump a stamp by hand,
e.g. ``UPDATE layers_walksegment SET id = id WHERE false``, or truncate the stamp table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import models

from . import registry
from .models import (
    LayerStamp,
)

# the layers with a stamp trigger (migrations 0004, 0006), in their order of reading
LAYERS: dict[str, type[models.Model]] = {s.key: s.model for s in registry.LAYERS}

# the layers the analyses read: their newest change is the analyses' data time
DATA_LAYERS = tuple(s.key for s in registry.LAYERS if s.data)

# (epoch, version, changed_at); (None, 0, None) for a layer without a row
Stamp = tuple[int | None, int, datetime | None]
NO_STAMP: Stamp = (None, 0, None)


def layer_stamps(names: Iterable[str] | None = None) -> dict[str, Stamp]:
    """The stamp of each layer in ``names`` (all of :data:`LAYERS` by default), one query.

    Parameters
    ----------
    names
        Layer names, keys of :data:`LAYERS`. The result keeps their order.

    Returns
    -------
    dict
        ``{name: (epoch, version, changed_at)}``; ``(None, 0, None)`` for a layer whose
        row is missing (the stamp table was truncated and the layer not changed since).

    Raises
    ------
    ValueError
        If a name is not a key of :data:`LAYERS`.
    TypeError
        If ``names`` is one string rather than a list of names.
    """
    if isinstance(names, str):
        raise TypeError("names is a list of layer names, not one string")
    wanted = list(LAYERS) if names is None else list(names)
    unknown = [n for n in wanted if n not in LAYERS]
    if unknown:
        raise ValueError(
            f"unknown layer(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(LAYERS)}"
        )
    read = LayerStamp.objects.order_by().values_list(
        "layer", "epoch", "version", "changed_at"
    )
    rows = {layer: (epoch, version, at) for layer, epoch, version, at in read}
    return {name: rows.get(name, NO_STAMP) for name in wanted}


def data_time(stamps: Mapping[str, Stamp] | None = None) -> datetime | None:
    """The newest change to any layer the analyses read (:data:`DATA_LAYERS`), or None.

    Parameters
    ----------
    stamps
        Stamps already read with :func:`layer_stamps`, which must include the
        :data:`DATA_LAYERS`; read afresh when omitted.
    """
    if stamps is None:
        stamps = layer_stamps(DATA_LAYERS)
    missing = [n for n in DATA_LAYERS if n not in stamps]
    if missing:
        raise ValueError(f"stamps lack layer(s) {', '.join(missing)}")
    times = [t for n in DATA_LAYERS if (t := stamps[n][2]) is not None]
    return max(times) if times else None
