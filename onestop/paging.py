"""A page of a server-rendered list and its total in one query (the staff inbox, issue 11).

Django's ``Paginator`` asks ``COUNT(*)`` first and then the page: two queries. Here the page's
query carries the count as an uncorrelated scalar subquery (PostgreSQL runs it once, as an
init plan), so a page costs one query; only an empty page past page 1 (an old link to a page
that no longer exists) asks the count again to fall back to the last page, as ``get_page``
does.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value

from onestop.keyset import COUNT_CAP, capped_union_count

TOTAL = "_page_total"


def _page_number(raw) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def page_with_count(queryset: QuerySet, per_page: int, number) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` in one query."""
    wanted = _page_number(number)
    total_of = Subquery(
        queryset.order_by()
        .annotate(_one=Value(1, output_field=IntegerField()))
        .values("_one")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    start = (wanted - 1) * per_page
    rows = list(queryset.annotate(**{TOTAL: total_of})[start : start + per_page])
    if not rows and wanted > 1:
        return Paginator(queryset, per_page).get_page(wanted)
    paginator = Paginator(queryset, per_page)
    paginator.count = getattr(rows[0], TOTAL) if rows else 0  # the cached_property's value
    return paginator._get_page(rows, wanted, paginator)


def page_with_capped_count(
    queryset: QuerySet, per_page: int, number, cap: int | None = None
) -> Page:
    """A page whose total stops at ``cap`` (the lists that can hold tens of thousands of rows:
    the staff queue at 70,000 open tasks counted them all, 1.4–2 s a page). The count is the
    applications API's (``onestop.keyset.capped_union_count``: the first ``cap + 1`` keys, so it
    stops reading there); the page is the plain slice: two queries. ``page.count_capped`` says
    the total is "cap or more" (templates/includes/pagination.html shows "10,000+"), and pages
    stop at the cap's last page, as ``get_page`` falls back to the last page."""
    count, capped = capped_union_count([queryset], COUNT_CAP if cap is None else cap)
    paginator = Paginator(queryset, per_page)
    paginator.count = count  # the cached_property's value: Paginator never counts again
    page = paginator.get_page(number)
    page.count_capped = capped
    return page
