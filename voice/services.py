"""Submitting, publishing and rejecting residents' suggestions (四(一)2, 六(四)).

Anyone may submit (no account; the access policy limits the rate per address). The
target is a community of the public map (by code, as published) or a project whose
card is public (from the annual plan on). Moderation is checked here, not only by the
URL table: street staff of the community's street, the district's planners and city
administrators (:func:`accounts.permissions.check_community`); a block project without
a community is moderated by its district's planners and the city.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import (
    EDITORS,
    check_community,
    check_district,
    require,
    user_of,
)
from layers.models import Community
from programme.models import Project
from programme.selectors import funding_is_public
from public.models import PublishedCommunity

from .models import (
    CONTACT_MAX,
    REPLY_MAX,
    TEXT_MAX,
    TEXT_MIN,
    Kind,
    Suggestion,
    Topic,
)

#: C0/C1 control characters except tab and newline, bidi overrides, zero-width marks
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_LINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_MARKUP = re.compile(r"<\s*/?\s*[a-z!]", re.IGNORECASE)
#: a contact is a phone number, an e-mail address or a short name with one of them
_CONTACT = re.compile(r"^[\w\s.@+\-()（）·]*$")
MAX_LINKS = 1
MODERATE = _("审核居民意见")
# Status members are str; without Django stubs mypy reads them as tuples
PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"


def clean_text(value: Any, *, field: str, low: int, high: int) -> str:
    """Normalised text (NFC, no control or invisible characters, trimmed) within
    ``low``..``high`` characters; ValidationError otherwise."""
    if not isinstance(value, str):
        raise ValidationError({field: _("请填写文字。")})
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value))
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) < low:
        raise ValidationError({field: _("内容太短（至少 %(n)d 个字）。") % {"n": low}})
    if len(text) > high:
        raise ValidationError({field: _("内容太长（最多 %(n)d 个字）。") % {"n": high}})
    return text


def clean_submission(data: Any) -> dict[str, Any]:
    """The validated fields of a submission (topic, kind, text, contact, target)."""
    if not isinstance(data, dict):
        raise ValidationError(_("请求格式不正确。"))
    errors: dict[str, str] = {}
    topic = data.get("topic")
    if topic not in Topic.values:
        errors["topic"] = _("请选择主题。")
    kind = data.get("kind") or Kind.SUGGESTION
    if kind not in Kind.values:
        errors["kind"] = _("类型不正确。")
    try:
        text = clean_text(data.get("text"), field="text", low=TEXT_MIN, high=TEXT_MAX)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        text = ""
    if text and len(_LINK.findall(text)) > MAX_LINKS:
        errors["text"] = _("内容中链接过多。")
    if text and _MARKUP.search(text):
        errors["text"] = _("内容不能包含网页代码。")
    contact = data.get("contact") or ""
    if not isinstance(contact, str):
        contact = ""
    contact = _CONTROL.sub("", unicodedata.normalize("NFC", contact)).strip()
    if len(contact) > CONTACT_MAX or not _CONTACT.match(contact):
        errors["contact"] = _("联系方式请填写电话或电子邮箱（最多 %(n)d 个字符）。") % {
            "n": CONTACT_MAX
        }
    community, project = data.get("community"), data.get("project")
    if bool(community) == bool(project):
        errors["target"] = _("请选择一个小区或一个项目。")
    if errors:
        raise ValidationError(errors)
    return {
        "topic": topic,
        "kind": kind,
        "text": text,
        "contact": contact,
        "community": community,
        "project": project,
    }


def _target(fields: dict[str, Any]) -> tuple[Community | None, Project | None]:
    """The live community (published on the public map) or the public project."""
    not_found = ValidationError({"target": _("未找到该小区或项目。")})
    if fields["community"]:
        code = str(fields["community"])[:64]
        source = (
            PublishedCommunity.objects.filter(code=code)
            .values_list("source_id", flat=True)
            .first()
        )
        community = Community.objects.filter(pk=source).first() if source else None
        if community is None:
            raise not_found
        return community, None
    try:
        project = Project.objects.select_related("community").get(
            pk=int(fields["project"])
        )
    except (Project.DoesNotExist, TypeError, ValueError):
        raise not_found from None
    if not funding_is_public(project):
        raise not_found  # a draft is not disclosed, as on the project card
    return project.community, project


def submit(data: Any) -> Suggestion:
    """A new pending suggestion from the public (no user is recorded)."""
    fields = clean_submission(data)
    community, project = _target(fields)
    district_id = (
        community.district_id
        if community is not None
        else project and project.district_id
    )
    return Suggestion.objects.create(
        community=community,
        project=project,
        district_id=district_id,
        topic=fields["topic"],
        kind=fields["kind"],
        text=fields["text"],
        contact=fields["contact"],
    )


def check_moderator(user: Any, suggestion: Suggestion) -> None:
    """PermissionDenied unless ``user`` may moderate ``suggestion``."""
    if suggestion.community_id is not None:
        check_community(user, suggestion.community, MODERATE)
    else:
        check_district(user, suggestion.district_id, MODERATE)


def can_moderate(user: Any, suggestion: Suggestion) -> bool:
    try:
        check_moderator(user, suggestion)
    except PermissionDenied:
        return False
    return True


def queue(user: Any, *, status: str | None = PENDING):
    """The suggestions ``user`` moderates (their street, district, or the city)."""
    actor = require(user, EDITORS, MODERATE)
    qs = Suggestion.objects.select_related(
        "community", "project", "district", "replied_by"
    )
    if status:
        qs = qs.filter(status=status)
    if actor.city_wide:
        return qs
    if actor.role == Role.DISTRICT_PLANNER:
        return qs.filter(district_id=actor.district_id)
    return qs.filter(community__street_id=actor.street_id)


def _moderate(user: Any, suggestion: Suggestion, status: str, reply: str) -> Suggestion:
    with transaction.atomic():
        s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        check_moderator(user, s)
        if s.status != PENDING:
            raise ValidationError(_("该意见已审核。"))
        now = timezone.now()
        s.status = status
        s.reply = reply
        s.replied_by = user_of(user)
        s.moderated_at = now
        s.published_at = now if status == PUBLISHED else None
        s._change_reason = status
        s.save()
    return s


def publish(user: Any, suggestion: Suggestion, *, reply: Any) -> Suggestion:
    """Publish ``suggestion`` with the moderator's reply (required)."""
    check_moderator(user, suggestion)
    text = clean_text(reply, field="reply", low=2, high=REPLY_MAX)
    return _moderate(user, suggestion, PUBLISHED, text)


def reject(user: Any, suggestion: Suggestion, *, reason: Any = "") -> Suggestion:
    """Reject ``suggestion`` (abuse, personal data, off topic); the reason stays
    internal."""
    check_moderator(user, suggestion)
    text = clean_text(reason or "-", field="reply", low=1, high=REPLY_MAX)
    return _moderate(user, suggestion, REJECTED, text)


def moderate(user: Any, suggestion: Suggestion, data: Any) -> Suggestion:
    """The moderation form: ``action`` = publish (with ``reply``) or reject."""
    check_moderator(user, suggestion)
    data = data if hasattr(data, "get") else {}
    action = data.get("action")
    if action == "publish":
        return publish(user, suggestion, reply=data.get("reply"))
    if action == "reject":
        return reject(user, suggestion, reason=data.get("reply", ""))
    raise ValidationError({"action": _("请选择公开答复或不予公开。")})
