"""``{% nav_bar %}``: the navigation bar of every page (base.html).

A link is shown when the access policy (``accounts/policy.py``) lets the user's role
read its URL: the one table decides, so the bar never offers a page that answers 403.
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import actor_of
from accounts.policy import access_for

register = template.Library()

#: (URL name, label), in the order of a planner's day
PAGES = (
    ("planner", _("规划工作台")),
    ("layers:import", _("导入数据")),
    ("programme-home", _("项目管理")),
    ("voice-queue", _("居民意见")),
    ("public-stats-page", _("统计")),
    ("public-map", _("公众地图")),
)


def nav_links(user, current: str | None) -> list[dict]:
    """The links ``user`` may follow, the current page marked."""
    role = actor_of(user).role
    out = []
    for name, label in PAGES:
        access = access_for(name)
        roles = access.roles("GET") if access else None
        if roles and role in roles:
            out.append(
                {
                    "name": name,
                    "url": reverse(name),
                    "label": label,
                    "current": name == current,
                }
            )
    return out


@register.inclusion_tag("geoapp/nav.html", takes_context=True)
def nav_bar(context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    return {"links": nav_links(user, match.view_name if match else None)}


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """(code, name) of each language named in its own language, never translated
    (Django's ``get_available_languages`` would turn "English" into 英语)."""
    return list(settings.LANGUAGES)
