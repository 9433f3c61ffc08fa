"""The statistics page's definitions of its numbers in the reader's language.

The API's ``definitions`` (public.selectors.progress_stats, cached per data version
for every reader) stay the notes of the data; the page says the same in the reader's
language, item by item, with the values the notes carry (the stages counted as
renovated, the date of the first life-circle run).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from layers.models import Stage

_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


def stats_definitions(stats: dict[str, Any], renovated_stages) -> list[tuple[str, str]]:
    notes = stats.get("definitions", {})
    stages = _("、").join(
        str(Stage(s).label) if s in Stage.values else s for s in renovated_stages
    )
    facilities = notes.get("facilities_added", "")
    date = _DATE.search(facilities)
    texts = {
        "renovated": (_("已改造"), _("改造阶段为：%(stages)s") % {"stages": stages}),
        "target": (
            _("三年目标"),
            _(
                "按二(一)的统一规则纳入改造范围的小区（国有土地，不在棚户区改造或征收"
                "计划内，可维修加固使用，2000年底前建成或2000年后建成经申请，安置房、"
                "保障房由区县决定，纯别墅仅在片区内，或市级记录的例外），即一(二)的三年"
                "目标；其中的危房（C 级 + D 级）须清零（二(二)1）。"
            ),
        ),
        "dangerous_buildings": (
            _("危房"),
            _(
                "改造范围内（二(一)）小区的 C 级与 D 级危房栋数，不论是否已改造，"
                "直至解危；目标为零（二(二)1 危房清零）"
            ),
        ),
        "dangerous_cleared": (_("已解危"), _("竣工验收时记录的已解危 C/D 级危房")),
        "lifts_installed": (
            _("加装电梯"),
            _("现有电梯数减去小区首个记录版本（历史）中的电梯数"),
        ),
        "renovated_professional": (
            _("专业化物业管理"),
            _("已改造小区中实行专业化物业管理的个数（五(二) 以改促管）；仅公布汇总数"),
        ),
        "facilities_added": (
            _("新增配套设施"),
            _("首次完成的生活圈分析（%(date)s）之后新建的配套设施")
            % {"date": date.group(1)}
            if date
            else _("尚无分析：来源不是 demo 或空白的配套设施"),
        ),
    }
    return [texts[k] for k in notes if k in texts]
