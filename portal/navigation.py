"""The portal's navigation: which pages the header links to.

Several pages are built by other parts of the project (accounts, "my cases", the progress
query, the staff back office). Each link lists the URL names it may be registered under; the
first one that resolves wins, and a link whose page does not exist yet is simply not shown
(never a link to a 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def optional_reverse(*names: str, args: tuple = (), kwargs: dict | None = None) -> str:
    """The URL of the first of ``names`` that is registered, or "" when none is."""
    for name in names:
        try:
            return reverse(name, args=args, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


@dataclass(frozen=True)
class NavLink:
    key: str
    label: Promise
    icon: str
    url_names: tuple[str, ...]
    staff_only: bool = False
    # Used when none of ``url_names`` is registered: (url name, query string).
    fallback: tuple[str, str] | None = None

    def url(self) -> str:
        url = optional_reverse(*self.url_names)
        if not url and self.fallback:
            base = optional_reverse(self.fallback[0])
            url = f"{base}?{self.fallback[1]}" if base else ""
        return url


MAIN_NAV: tuple[NavLink, ...] = (
    NavLink("home", _("Home"), "house-door", ("portal:home",)),
    NavLink("catalogue", _("Services"), "grid-3x3-gap", ("portal:catalogue",)),
    NavLink(
        "my_cases",
        _("My applications"),
        "folder2-open",
        ("portal:my_cases", "portal:application_list", "portal:applications"),
    ),
    NavLink("track", _("Progress query"), "search", ("portal:track", "portal:progress")),
    NavLink("disclosure", _("Information disclosure"), "megaphone", ("disclosure:home",)),
    NavLink(
        "office",
        _("Back office"),
        "briefcase",
        ("workflow:home", "workflow:inbox", "workflow:office_home", "portal:office"),
        staff_only=True,
    ),
)

# Named pages the layout links to when they exist.
ACCOUNT_URLS = {
    "login": ("portal:login",),
    "register": ("portal:register",),
    "logout": ("portal:logout",),
    "profile": ("portal:profile", "portal:account"),
}

QUICK_LINKS: tuple[NavLink, ...] = (
    NavLink("track", _("Progress query"), "search", ("portal:track", "portal:progress")),
    NavLink(
        "my_cases",
        _("My applications"),
        "folder2-open",
        ("portal:my_cases", "portal:application_list", "portal:applications"),
    ),
    NavLink(
        "verify",
        _("Certificate verification"),
        "patch-check",
        ("portal:certificate_verify", "portal:verify", "permits:certificate_verify"),
    ),
    NavLink(
        "complaint",
        _("Complaints and suggestions"),
        "chat-left-text",
        ("portal:complaint", "portal:feedback"),
        # Complaints are process-centred items of the catalogue until a dedicated page exists.
        fallback=("portal:catalogue", "category=complaint"),
    ),
)
