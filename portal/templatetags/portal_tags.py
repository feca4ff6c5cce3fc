"""Template helpers of the portal layout."""

from __future__ import annotations

from django import template
from django.http import QueryDict

from permits.validators import mask_name
from portal.navigation import optional_reverse

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
