from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.navigation import ACCOUNT_URLS, MAIN_NAV, optional_reverse
from workflow import access

LARGE_TEXT_COOKIE = "onestop_large_text"


def _main_nav(request: HttpRequest) -> list[dict]:
    path = request.path
    staff = access.is_staff_member(getattr(request, "user", None))
    links = []
    for link in MAIN_NAV:
        if link.staff_only and not staff:
            continue
        url = optional_reverse(*link.url_names)
        if not url:
            continue
        active = path == url if url == "/" else path.startswith(url)
        links.append(
            {"key": link.key, "label": link.label, "icon": link.icon, "url": url, "active": active}
        )
    return links


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "ISSUING_AUTHORITY": settings.ISSUING_AUTHORITY,
        "SITE_FILING": {
            "identifier": settings.SITE_IDENTIFIER,
            "icp": settings.ICP_FILING_NUMBER,
            "psb": settings.PSB_FILING_NUMBER,
            "error_report_url": settings.GOV_ERROR_REPORT_URL,
        },
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "main_nav": SimpleLazyObject(lambda: _main_nav(request)),
        "account_urls": SimpleLazyObject(
            lambda: {key: optional_reverse(*names) for key, names in ACCOUNT_URLS.items()}
        ),
    }
