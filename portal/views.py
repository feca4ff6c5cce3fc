"""The citizen-facing pages: home (统一入口), the catalogue and the item guide (办事指南).

Thin views: read through ``permits.selectors`` (the catalogue's reads) and ``portal.selectors``
(filter options), render. Each page runs a constant number of SQL queries, and anonymous
visitors get it from the shared cache (``portal.pagecache``) until the catalogue changes.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from disclosure.selectors import latest_notices
from permits.choices import category_name
from permits.models import Audience, OnlineDepth, ServiceItem, ServiceModel
from permits.selectors import category_counts, item_get_visible, item_popular, item_search
from portal import selectors
from portal.forms import CatalogueFilterForm
from portal.guide import participation_picture
from portal.navigation import QUICK_LINKS, optional_reverse
from portal.pagecache import public_page
from portal.presentation import CATEGORY_ICONS, INTERACTION_CATEGORIES
from workflow.services import item_applies_online

CATALOGUE_PAGE_SIZE = 10
AUDIENCE_TABS = (Audience.PERSON, Audience.ENTERPRISE)


@public_page("audience", "region")
def home(request: HttpRequest) -> HttpResponse:
    audience = request.GET.get("audience", "")
    if audience not in AUDIENCE_TABS:
        audience = ""
    regions = list(selectors.region_choices())
    region = request.GET.get("region", "")
    current_region = next((r for r in regions if r.code == region), None)
    region = current_region.code if current_region else ""

    if audience:
        popular = list(item_search(audience=audience, region=region or None)[:8])
    else:
        popular = item_popular(limit=8, region=region or None)
    categories = [
        {**row, "icon": CATEGORY_ICONS.get(row["category"], "folder")}
        for row in category_counts(audience=audience or None, region=region or None)
    ]
    quick_links = [
        {"label": link.label, "icon": link.icon, "url": link.url()} for link in QUICK_LINKS
    ]
    return render(
        request,
        "portal/home.html",
        {
            "audience": audience,
            "audience_tabs": [(a.value, a.label) for a in AUDIENCE_TABS],
            "regions": regions,
            "region": region,
            "current_region": current_region,
            "service_categories": [
                c for c in categories if c["category"] not in INTERACTION_CATEGORIES
            ],
            "interaction_categories": [
                c for c in categories if c["category"] in INTERACTION_CATEGORIES
            ],
            "popular": popular,
            "quick_links": quick_links,
            "service_models": ServiceModel,
            "notices": latest_notices(5),  # 通知公告 (one query)
        },
    )


@public_page("q", *CatalogueFilterForm.FILTERS, "page")
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    items = item_search(
        search=filters.get("q", ""),
        category=filters.get("category"),
        department=filters.get("department"),
        region=filters.get("region"),
        audience=filters.get("audience"),
        online_depth=filters.get("online_depth"),
        service_model=filters.get("service_model"),
    )
    paginator = Paginator(items, CATALOGUE_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/catalogue.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page_obj,
            "items": page_obj.object_list,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "category_label": category_name(filters.get("category", "")) or None,
        },
    )


@public_page()
def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = item_get_visible(code=code)
    except ServiceItem.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/item_guide.html",
        {
            "item": item,
            "picture": participation_picture(item),
            "materials": list(item.materials.all()),
            "form_fields": list(item.form_fields.all()),
            "apply_url": optional_reverse("portal:apply", kwargs={"code": item.code}),
            "applies_online": item_applies_online(item),
            "window_only": item.online_depth == OnlineDepth.WINDOW_ONLY,
        },
    )
