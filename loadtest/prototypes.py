"""The prototypes ``seed_load`` multiplies, made through the real services.

``seed_demo`` (run first) leaves its cases in flight: every flow, submitted, in review, in
supplement, not accepted, denied, approved, answered, some red and one deemed approved. Here
the states it does not make are added the same way (``workflow.demo_inflight``'s runner):
drafts and withdrawn cases of each service model, and a second decided case of each decided
kind. Then the catalogue grows to ``items`` items by importing copies of the demo's items
through the catalogue import service (each copy publishes its own version, which every case
of that item then shares).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

logger = logging.getLogger(__name__)

EXTRA = (
    # (marker, item code, applicant, steps, then: "withdraw", "handover" or "")
    ("草稿（压测）", "445300-SCJG-QYKB", "citizen", (), ""),
    ("草稿（压测）", "445300-GAJ-PTHZ", "citizen2", (), ""),
    ("草稿（压测）", "445300-12345-ZWFWTS", "citizen", (), ""),
    ("已撤回（压测）", "445300-SCJG-QYKB", "citizen2", ("submit",), "withdraw"),
    ("已撤回（压测）", "445300-GAJ-PTHZ", "citizen", ("submit",), "withdraw"),
    (
        "已出件（压测）",
        "445300-SCJG-QYKB",
        "citizen2",
        ("submit", "accept", "reviews", "approve"),
        "handover",
    ),
    (
        "已办结（压测）",
        "445300-SCJG-QYKB",
        "citizen",
        ("submit", "accept", "reviews", "approve"),
        False,
    ),
    ("不予许可（压测）", "445300-SCJG-QYKB", "citizen2", ("submit", "accept", "deny"), False),
    ("并联审批中（压测）", "445300-SCJG-QYKB", "citizen", ("submit", "accept"), False),
    (
        "已办结（压测）",
        "445300-SCJG-SPJYXK",
        "citizen2",
        ("submit", "accept", "reviews", "approve"),
        False,
    ),
)


def make_prototypes() -> list[str]:
    """The extra prototype cases; returns the markers made (a refused one is logged)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from onestop.errors import DomainError
    from permits.models import ServiceItem
    from workflow import demo_inflight, services

    made = []
    today = timezone.localdate()
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["citizen", "citizen2"])
    }
    for marker, code, username, steps, then in EXTRA:
        item = ServiceItem.objects.select_related("current_version").filter(code=code).first()
        user = users.get(username)
        if item is None or item.current_version is None or user is None:
            logger.warning("prototype %s on %s: item or account missing", marker, code)
            continue
        scenario = demo_inflight.Scenario(marker, code, username, steps)
        try:
            with transaction.atomic():
                app = demo_inflight._run(scenario, item, user, today=today)  # noqa: SLF001
                if then == "withdraw":
                    services.application_withdraw(actor=user, application=app, reason="压测撤回")
                elif then == "handover":
                    services.application_handover(
                        actor=_lead_staff(app), application=app, method="electronic"
                    )
        except DomainError as exc:
            logger.warning("prototype %s on %s refused: %s", marker, code, exc)
            continue
        made.append(f"{marker} {code}")
    return made


def _lead_staff(app):
    from departments.models import Role, StaffRole

    role = (
        StaffRole.objects.filter(department_id=app.lead_department_id, role=Role.REVIEWER)
        .order_by("user_id")
        .first()
    )
    return role.user if role else None


def grow_catalogue(items: int, *, codes: set[str]) -> dict[str, list[str]]:
    """Copies of the published items among ``codes`` (the prototypes' items, so that cases
    spread over every copy) until the catalogue has ``items``; returns, per original code, the
    codes of its copies (the original first)."""
    from permits.exchange import catalogue_export, catalogue_import
    from permits.models import ServiceItem

    data = catalogue_export()
    originals = [e for e in data["items"] if e.get("status") == "published" and e["code"] in codes]
    have = ServiceItem.objects.count()
    variants: dict[str, list[str]] = {e["code"]: [e["code"]] for e in data["items"]}
    new_entries: list[dict[str, Any]] = []
    n = 0
    while have + len(new_entries) < items and originals:
        entry = originals[n % len(originals)]
        k = len(variants[entry["code"]])
        clone = copy.deepcopy(entry)
        clone["code"] = f"{entry['code']}-L{k:02d}"[:64]
        clone["name"] = f"{entry['name']}（{k}）"
        variants[entry["code"]].append(clone["code"])
        new_entries.append(clone)
        n += 1
    if new_entries:
        catalogue_import(data={**data, "items": new_entries}, keep_popularity=True)
    return variants
