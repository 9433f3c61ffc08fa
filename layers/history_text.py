"""A feature's history in the reader's language.

What happened is simple_history's ``history_type`` (+ ~ -), named here; why is the
record's change reason, kept in the language of no reader: the Chinese source sentence
of the catalog for the reasons the app writes itself (``REASONS``, stored untranslated),
or one of the stored formats of the writers that name a file, a source or a candidate
(``import <file>``, ``<source>: stage timeline``, ``confirmed from candidate <code>``).
Both are translated when read, so a record written by an English session reads in
Chinese to a Chinese one and the other way round.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

HISTORY_TYPES = {
    "+": gettext_noop("已创建"),
    "~": gettext_noop("已修改"),
    "-": gettext_noop("已删除"),
}

#: the reasons the app itself writes (the stored value is the msgid)
CREATED, EDITED, DELETED = (
    gettext_noop("新建"),
    gettext_noop("编辑"),
    gettext_noop("删除"),
)
UNDONE, UNDELETED = gettext_noop("撤销"), gettext_noop("撤销删除")
REASONS = (CREATED, EDITED, DELETED, UNDONE, UNDELETED)

#: stored formats with a value in them → the sentence that reads them
FORMATS = (
    (re.compile(r"^import (?P<file>.+)$"), gettext_noop("导入 %(file)s")),
    (
        re.compile(r"^(?P<source>.+): stage timeline$"),
        gettext_noop("%(source)s：改造阶段记录"),
    ),
    (
        re.compile(r"^confirmed from candidate (?P<code>.+)$"),
        gettext_noop("由候选小区 %(code)s 确认"),
    ),
)


def history_type_label(history_type: str) -> str:
    """已创建 / 已修改 / 已删除 in the active language (the code itself if unknown)."""
    name = HISTORY_TYPES.get(history_type)
    return gettext(name) if name else history_type


def change_reason_label(reason: str | None) -> str:
    """A stored change reason in the active language; a reason someone typed stays
    as typed."""
    reason = (reason or "").strip()
    if not reason:
        return ""
    for pattern, sentence in FORMATS:
        m = pattern.match(reason)
        if m:
            return gettext(sentence) % m.groupdict()
    return gettext(reason) if reason in REASONS else reason
