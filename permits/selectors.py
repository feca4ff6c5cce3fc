"""Reads of the catalogue. Public data: no permission filter beyond visibility.

Visibility: published and suspended items are shown (suspended ones say so and take no new
applications); draft and retired items never appear on the portal or in the public API.

Every list here runs a constant number of SQL queries however many items there are.
"""

from __future__ import annotations

from typing import TypedDict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

from permits.choices import category_name
from permits.models import Audience, Category, ItemDepartment, ServiceItem
from permits.search import search_terms


def _visible() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.visible().select_related("lead_department", "region")


def item_search(
    *,
    search: str = "",
    category: str | None = None,
    department: str | None = None,
    region: str | None = None,
    audience: str | None = None,
    online_depth: str | None = None,
    service_model: str | None = None,
) -> QuerySet[ServiceItem]:
    """Visible items matching every given filter, most popular first, then by code.

    - ``search``: each whitespace-separated term must occur in the item's name, keywords, their
      full pinyin or pinyin initials, or its code (``qykb`` and ``qiye`` find 企业开办).
    - ``department``: a department code; matches the lead department or any participating one.
    - ``region``: a region code; the items that serve that region (``region_items``): its own
      and those of the regions above it that it does not implement itself.
    - ``audience``: ``person`` / ``enterprise`` also match items for ``both``.
    - ``category``, ``online_depth``, ``service_model``: the values of API.md.

    Values are applied as given: an unknown value simply matches nothing (the API validates its
    query parameters before calling this). Empty strings and ``None`` mean "no filter".
    ``lead_department`` and ``region`` are joined in, so rendering the list costs no more queries.
    """
    qs = _visible()
    for term in search_terms(search):
        qs = qs.filter(search_text__contains=term)
    if category:
        qs = qs.filter(category=category)
    if department:
        takes_part = ItemDepartment.objects.filter(item=OuterRef("pk"), department__code=department)
        qs = qs.filter(Q(lead_department__code=department) | Exists(takes_part))
    if region:
        qs = qs.filter(region_items(region))
    if audience:
        if audience in (Audience.PERSON, Audience.ENTERPRISE):
            qs = qs.filter(audience__in=[audience, Audience.BOTH])
        else:
            qs = qs.filter(audience=audience)
    if online_depth:
        qs = qs.filter(online_depth=online_depth)
    if service_model:
        qs = qs.filter(service_model=service_model)
    return qs.order_by("-popularity", "code")


def _code_stem(code):
    """The item code without its region prefix: ``445381-SCJG-QYKB`` -> ``SCJG-QYKB`` (a code
    without '-' is its own stem)."""
    return Substr(code, StrIndex(code, Value("-")) + 1)


def region_items(code: str) -> Q:
    """The catalogue that serves region ``code``: the region's own items, plus the items of each
    region above it (a county's city) that no region lower in that chain implements itself. A
    lower region implements an item itself when it has a visible item of the same name or the
    same code stem (罗定市's ``445381-SCJG-QYKB`` replaces the city's ``445300-SCJG-QYKB``).

    One query for the chain (two parents joined); the rest is part of the list's one query.
    An unknown code matches nothing."""
    from departments.models import Region

    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None:
        return Q(pk__in=[])
    chain = [region]
    while chain[-1].parent is not None and len(chain) < 3:
        chain.append(chain[-1].parent)
    rule = Q(region_id=region.pk)
    for depth, upper in enumerate(chain[1:], start=1):
        closer = [r.pk for r in chain[:depth]]
        own = ServiceItem.objects.visible().filter(region_id__in=closer)
        own = own.annotate(code_stem=_code_stem("code")).filter(
            Q(name=OuterRef("name")) | Q(code_stem=_code_stem(OuterRef("code")))
        )
        rule |= Q(region_id=upper.pk) & ~Exists(own)
    return rule


def item_get_visible(*, code: str) -> ServiceItem:
    """One visible item with everything its guide shows.

    Raises ``ServiceItem.DoesNotExist`` when the code is unknown or the item is a draft or retired
    (the three cases are indistinguishable to the caller). Views turn it into a 404.

    Prefetched: ``departments`` (ordered by position, each with its ``department``), ``materials``
    (ordered, each with its ``departments``) and ``form_fields`` (ordered); ``lead_department``,
    ``region`` and ``current_version`` are joined.
    """
    return (
        _visible()
        .select_related("current_version")
        .prefetch_related(
            Prefetch(
                "departments",
                queryset=ItemDepartment.objects.select_related("department").order_by(
                    "position", "pk"
                ),
            ),
            "materials__departments",
            "form_fields",
        )
        .get(code=code)
    )


def item_popular(*, limit: int = 8, region: str | None = None) -> list[ServiceItem]:
    """The most popular visible items (for the home page), optionally of one region (a code)."""
    return list(item_search(region=region)[:limit])


class CategoryCount(TypedDict):
    category: str
    name: str
    count: int


def category_counts(
    *, audience: str | None = None, region: str | None = None
) -> list[CategoryCount]:
    """Every category in catalogue order with its number of visible items (zeros included), in
    one query. ``name`` is the category's name in the active language.

    ``audience`` and ``region`` filter as in ``item_search``, so the home page's counts match
    what the catalogue shows behind each link."""
    counts = dict(
        item_search(audience=audience, region=region)
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return [
        {"category": value, "name": category_name(value), "count": counts.get(value, 0)}
        for value in Category.values
    ]


# --- Public reads of cases: progress query (进度查询) and certificate verification ---------------
# No login: the caller proves knowledge of a secret (the last four characters of the ID number,
# or an anonymous case's query code). Comparisons are constant-time; a wrong secret and a
# missing case answer the same None. Pages and API show only masked data from these rows.


def _same(secret: str, expected: str) -> bool:
    import hmac

    return bool(expected) and hmac.compare_digest(secret.upper(), expected.upper())


def _query_code_matches(code: str, stored_hash: str) -> bool:
    import hashlib
    import hmac

    from django.contrib.auth.hashers import check_password

    if not code or not stored_hash:
        return False
    if "$" in stored_hash:  # a Django password hash
        return check_password(code, stored_hash)
    # workflow.intake.services keeps the sha256 hex digest of the upper-cased code
    digest = hashlib.sha256(code.strip().upper().encode()).hexdigest()
    return hmac.compare_digest(digest, stored_hash)


_TRACK_UNREAD = ("form_data", "handover", "applicant_person__phone", "handler__phone")


def application_track(*, number: str, id_last4: str | None = None, query_code: str | None = None):
    """The submitted case with that number whose applicant's (or acting handler's) ID number,
    or its enterprise's credit code, ends with ``id_last4``; or the anonymous case whose query
    code is ``query_code``; None otherwise. Drafts are not tracked. Comes with its item and
    case-department rows (two queries). Used by the page and the API alike."""
    from permits.models import Application, ApplicationDepartment, ApplicationStatus

    app = (
        Application.objects.for_number(number)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("item", "applicant_person", "applicant_enterprise", "handler")
        # Not shown, and not read: the form (a large JSON), and the persons' phones (each one
        # an SM4 decryption when loaded) — issue 11's profile of the public query.
        .defer(*_TRACK_UNREAD)
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=ApplicationDepartment.objects.select_related("department").order_by(
                    "round", "position", "pk"
                ),
            )
        )
        .first()
    )
    if app is None:
        return None
    if app.anonymous:
        return app if _query_code_matches(query_code or "", app.query_code_hash) else None
    secret = (id_last4 or "").strip()
    if len(secret) != 4:
        return None
    candidates = [
        person.id_number[-4:]
        for person in (app.applicant_person, app.handler)
        if person is not None and person.id_number
    ]
    if app.applicant_enterprise is not None:
        candidates.append(app.applicant_enterprise.credit_code[-4:])
    return app if any(_same(secret, last4) for last4 in candidates) else None


def certificate_verify(*, number: str, code: str):
    """The certificate with that number and verification code, or None. The result carries
    ``valid`` (valid today) and ``holder_display`` (an enterprise's name in full, a person's
    masked)."""
    from permits.models import Certificate
    from permits.validators import mask_name

    certificate = (
        Certificate.objects.filter(number=(number or "").strip().upper())
        .select_related("issuer", "application")
        .first()
    )
    if certificate is None or not _same((code or "").strip(), certificate.verification_code):
        return None
    certificate.valid = certificate.is_valid_on()
    certificate.holder_display = (
        certificate.holder_name
        if certificate.holder_enterprise_id or certificate.application.applicant_enterprise_id
        else mask_name(certificate.holder_name)
    )
    return certificate


# --- Persons by ID number or phone (encrypted at rest: onestop/pii.py) --------------------


def persons_with_id(id_type: str, id_number: str) -> QuerySet:
    """The person(s) with that ID: the ONE way to find a person by ID number. The column is
    SM4-encrypted with a fresh nonce per write, so the match goes through the HMAC-SM3 lookup
    hash (under every configured lookup key, so a rotation in progress still matches)."""
    from onestop.pii import lookup_hashes
    from permits.models import Person
    from permits.validators import normalise_identifier

    return Person.objects.filter(
        id_type=id_type, id_number_hash__in=lookup_hashes(normalise_identifier(id_number))
    )


def persons_with_phone(phone: str) -> QuerySet:
    """The persons with that phone number (through its lookup hash)."""
    from onestop.pii import lookup_hashes
    from permits.models import Person

    return Person.objects.filter(phone_hash__in=lookup_hashes(phone))
