"""Bundling runs and the planner's edits of renovation blocks (连片改造, 四(四)).

:func:`bundle_run` reads the layers, calls the pure
:func:`analysis.bundling.bundle_blocks` and stores one
:class:`~blocks.models.RenovationBlock` per block. The planner then edits blocks with
``block_accept``, ``block_lock``/``block_unlock``, ``block_merge``, ``block_split``
and ``block_move_community``. Each edit is checked first and raises
``ValidationError`` with a clear message before anything is written (the database is
then unchanged); each change is saved with django-simple-history, with the user and
the reason (``_change_reason``).

Decisions (first version, documented here):

- *Scope.* A run covers the communities of ``district``/``street`` (all when
  ``None``). Active, unlocked blocks with a member in that scope are superseded.
  Active locked blocks whose members are all in scope are passed to
  ``bundle_blocks`` as ``locked`` and carried over into the new run unchanged (same
  code and members); members of any locked block are never re-bundled.
- *Idle plots and vacant housing* "inside or within walking distance" are those with
  status ``available`` within :data:`NEARBY_M` (300 m, the 5-minute walking distance
  of the default rule set) of the block outline, straight line.
- *Cost.* When the ``programme`` app and its works catalogue exist, the basic works
  estimate is households × Σ(unit cost of every basic, non-special catalogue item),
  i.e. one unit of each basic item per household. The catalogue's costs are
  illustrative; the figure is an order of magnitude for comparing blocks, not a
  budget. Otherwise ``null``.
- *Planner edits* keep the run's adjacency (its ``gap_m`` and barriers) and its
  household ceiling; they don't enforce the floor (a planner may keep a small block).
  Locked blocks must be unlocked before they are edited. An edited accepted block
  goes back to ``proposed``."""

from __future__ import annotations

from blocks.services.bundling import bundle_run, bundle_validate
from blocks.services.common import (
    ENGINE,
    GROUPS,
    NEARBY_M,
    Status,
)
from blocks.services.edits import (
    block_accept,
    block_lock,
    block_merge,
    block_move_community,
    block_split,
    block_unlock,
)
from blocks.services.exporting import EXPORT_FORMATS, blocks_export
from blocks.services.parking import blocks_parking

__all__ = [
    "blocks_parking",
    "ENGINE",
    "EXPORT_FORMATS",
    "GROUPS",
    "NEARBY_M",
    "Status",
    "block_accept",
    "blocks_export",
    "block_lock",
    "block_merge",
    "block_move_community",
    "block_split",
    "block_unlock",
    "bundle_run",
    "bundle_validate",
]
