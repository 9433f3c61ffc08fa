"""The vocabulary of the scope (二(一)): statuses, bases, reasons and the decision for one community."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

CLAUSE_SCOPE: Final = "二(一)"


#: "2000年底前建成交付": completed and delivered on or before this day.
PRIORITY_CUTOFF: Final = dt.date(2000, 12, 31)


EligibilityStatus = Literal[
    "priority",
    "on_application",
    "district_decides",
    "with_others_only",
    "excluded",
    "not_eligible",
]


STATUSES: Final[tuple[str, ...]] = (
    "priority",
    "on_application",
    "district_decides",
    "with_others_only",
    "excluded",
    "not_eligible",
)


#: Statuses that are in scope by the rule alone.
ELIGIBLE_STATUSES: Final[tuple[str, ...]] = ("priority", "on_application")


#: Why a community may be renovated: the rule itself, a 片区 with other communities
#: (pure villas), the district's own decision (安置房/保障房), a city exception.
BASES: Final[tuple[str, ...]] = ("rule", "block", "district", "exception")


#: Kinds of decision a person records (``recorded``): the district's own decision on
#: resettlement / affordable housing (各地自主确定) and a city administrator's exception.
RECORDED_KINDS: Final[tuple[str, ...]] = ("district", "exception")


LAND_TENURES: Final[tuple[str, ...]] = ("state", "collective")


HOUSING_TYPES: Final[tuple[str, ...]] = (
    "commodity",
    "work_unit",
    "resettlement",
    "affordable",
    "villa",
    "mixed",
)


#: Residents' will (居民改造意愿) for post-2000 communities; ``None`` = not known yet.
WILL_VALUES: Final[tuple[str | None, ...]] = ("strong", "weak", None)


#: Earliest completion year accepted as plausible input.
MIN_COMPLETION_YEAR: Final = 1900


#: The version of ``fixtures/programme/scope_rules.json`` used when none is passed
#: (the test ``test_scope_rules_fixture_matches_the_defaults`` keeps them equal).
DEFAULT_SCOPE_RULES: Final[Mapping[str, Any]] = {
    "id": "scope-2020",
    "priority_completed_by": "2000-12-31",
    "post_2000": {
        "min_missing_share": "1/3",
        "min_local_missing": 1,
        "local_max_tier_minutes": 5,
    },
}


@dataclass(frozen=True)
class Reason:
    """One line of an explanation, traceable to a clause of the policy.

    Parameters
    ----------
    clause : str
        Clause of the action plan (``"二(一)"``, ``"三(一)"``…) or of a law
        (``"民法典第278条"``).
    text_zh : str
        The line in Chinese.
    text_en : str
        The same line in English.
    """

    clause: str
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Decision:
    """Eligibility of one community under 二(一).

    Parameters
    ----------
    status : str
        What the rule says, one of :data:`STATUSES`.
    reasons : list of Reason
        The checks made, in order, each citing its clause; a recorded decision
        that admits the community is the last line.
    eligible : bool
        May the community be renovated: by the rule (``priority``,
        ``on_application``), as a member of a 片区 with other communities (pure
        villas), by the district's recorded decision (安置房/保障房) or by a city
        administrator's recorded exception.
    basis : str
        ``""`` when not eligible, otherwise one of :data:`BASES`.
    needs : tuple of str
        What could still make the community eligible without an exception:
        ``"will_vote"`` (a post-2000 community whose only open condition is the
        residents' will, decided by the owners' vote of 四(二)1),
        ``"lifecircle"`` (gaps not assessed yet), ``"district"`` (安置房/保障房),
        ``"block"`` (a pure villa community: only with others).
    """

    status: EligibilityStatus
    reasons: list[Reason] = field(default_factory=list)
    eligible: bool = False
    basis: str = ""
    needs: tuple[str, ...] = ()

    @property
    def refusal(self) -> str:
        """The lines of the decision in one message (for refusals), with clauses."""
        return "；".join(f"{r.clause} {r.text_zh}" for r in self.reasons)
