"""Template helpers of the portal layout."""

from __future__ import annotations

import re

from django import template
from django.http import QueryDict
from django.utils.translation import gettext, ngettext

from permits.validators import mask_name
from portal.navigation import optional_reverse
from portal.presentation import ONLINE_DEPTH_BADGES, SERVICE_MODEL_BADGES
from workflow import access

register = template.Library()


@register.simple_tag
def optional_url(*names: str, **kwargs) -> str:
    """``{% optional_url "portal:apply" code=item.code as apply_url %}``: the URL of the first
    registered name, or "" while the page does not exist yet (the template then shows an honest
    "coming soon" instead of a broken link)."""
    return optional_reverse(*names, kwargs=kwargs or None)


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters replaced (``page`` for pagination)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value)


@register.filter
def display_user(user) -> str:
    """The masked real name of the signed-in person, else the account name."""
    person = getattr(user, "person", None) if user is not None else None
    if person is not None and getattr(person, "real_name", ""):
        return person.masked_name
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return mask_name(full) if full else getattr(user, "username", "")


@register.filter
def acts_on_tasks(user) -> bool:
    """Whether ``user`` may act on some task kind (the back office's inbox links)."""
    return access.can_act_on_some_task(user)


@register.filter
def enters_cases(user) -> bool:
    """Whether ``user`` enters cases for others (window clerks, 12345 operators, heads): the
    back office's intake links (walk-in intake, the hotline page, the centre's queue desk)."""
    return access.can_enter_cases(user)


@register.simple_tag
def visits_label(max_visits: int | None) -> str:
    """最多跑N次: how many times at most the applicant has to come in person."""
    n = max_visits or 0
    if n == 0:
        return gettext("No visit needed")
    if n == 1:
        return gettext("At most one visit")
    return ngettext("At most %(n)s visit", "At most %(n)s visits", n) % {"n": n}


@register.inclusion_tag("portal/includes/badge.html")
def service_model_badge(item) -> dict:
    return {
        "label": item.get_service_model_display(),
        "colour": SERVICE_MODEL_BADGES.get(item.service_model, "grey"),
        "icon": "diagram-3",
    }


@register.filter
def applies_online(item) -> bool:
    """Whether a case of this item can be started here (its service model has a flow); lists
    and the guide show "not open yet" instead of the online badges otherwise (issue 14 item 8)."""
    from workflow.services import item_applies_online

    return item_applies_online(item)


@register.inclusion_tag("portal/includes/badge.html")
def online_depth_badge(item) -> dict:
    return {
        "label": item.get_online_depth_display(),
        "colour": ONLINE_DEPTH_BADGES.get(item.online_depth, "grey"),
        "icon": "laptop" if item.online_depth != "window_only" else "building",
    }


@register.filter
def file_size(value: int | None) -> str:
    """10485760 → "10 MB" (binary units, as upload limits are usually stated)."""
    if not value:
        return ""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value >= size:
            amount = value / size
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"
    return f"{value} B"


@register.filter
def choice_labels(choices) -> list[str]:
    """A form field's choices as labels: plain strings, [value, label] pairs or
    {"value", "label"} objects all read as their label."""
    labels = []
    for choice in choices or []:
        if isinstance(choice, dict):
            labels.append(str(choice.get("label") or choice.get("value") or ""))
        elif isinstance(choice, list | tuple):
            labels.append(str(choice[-1]))
        else:
            labels.append(str(choice))
    return labels


_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


@register.filter
def short_item_name(name: str) -> str:
    """企业开办（设立登记、公章刻制…） → 企业开办: for compact lists such as popular searches."""
    short = _TRAILING_NOTE.sub("", name or "")
    return short or name
