"""Cases in flight for the demo (issue 14 item 15): ``seed_demo`` also leaves cases in every
state and flow, dated relative to today, so the supervision board, the inboxes and 我的办件 are
not empty on first look — some green, some yellow, some red, one escalated, one department
deemed to approve (逾期视为同意), supplements waiting, decided cases with their certificate.

Every case is made and moved through the real services (``application_create``, ``submit``,
``task_complete``) by the demo's accounts, as the people would. Then, for the cases meant to
be older, the case's own clock columns (submission, acceptance, the dues and the tasks' dues,
the departments' dues) are moved back by whole working days, as if it had been submitted that
many working days ago, and the deadline sweep (``sweep_inline``) gives them their colours,
escalations and deemed approvals exactly as it would in production. The event log is
append-only, so a timeline shows the seeding moment.

Idempotent: a scenario's case is recognised by its applicant, item and the demo marker in its
first text field (``（演示）…``); one already there is left alone, so a second run adds none.

Registered with ``permits.demo.register_seed_step`` from ``WorkflowConfig.ready()`` (permits
never imports workflow).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from departments.models import Role, StaffRole
from permits.models import (
    Application,
    ApplicationDepartment,
    ServiceItem,
    material_generated_online,
)
from workflow import services
from workflow.deadlines import calendar as cal
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask

logger = logging.getLogger(__name__)

MARKER = "（演示）"
ENTERPRISE_ACCOUNT = "enterprise"


@dataclass(frozen=True)
class Scenario:
    key: str  # what the case shows (the marker text)
    item: str  # item code
    applicant: str  # username
    steps: tuple[str, ...] = ()  # "submit", "accept", "supplement", "reviews", "approve", …
    # Working days before today the case is dated; "yellow"/"red" compute them from the open
    # tasks' dues so that the sweep colours them.
    age: int | str = 0
    on_behalf_of: str = ""  # a handler's enterprise (credit code)


SCENARIOS: tuple[Scenario, ...] = (
    # 网上并联许可 (企业开办)
    Scenario("待受理", "445300-SCJG-QYKB", "citizen", ("submit",)),
    Scenario("并联审批中", "445300-SCJG-QYKB", "citizen2", ("submit", "accept")),
    Scenario("逾期视为同意", "445300-SCJG-QYKB", "citizen", ("submit", "accept"), age="red"),
    Scenario("已办结", "445300-SCJG-QYKB", "citizen2", ("submit", "accept", "reviews", "approve")),
    # single department
    Scenario("待补正", "445300-SCJG-SPJYXK", "enterprise", ("submit", "supplement")),
    Scenario(
        "审查中（黄灯）", "445300-SCJG-SPJYXK", "enterprise", ("submit", "accept"), age="yellow"
    ),
    Scenario("审查中（红灯）", "445300-JTJ-DLKYXK", "enterprise", ("submit", "accept"), age="red"),
    Scenario("受理超期", "445300-WSJ-GGCSWSXK", "enterprise", ("submit",), age="red"),
    Scenario("不予受理", "445300-GAJ-HKQY", "citizen", ("submit", "not_accept")),
    Scenario("不予许可", "445300-SCJG-GTHDJ", "citizen2", ("submit", "accept", "deny")),
    # core department (出入境)
    Scenario("会办中", "445300-GAJ-PTHZ", "citizen", ("submit", "accept")),
    # process-centred (12345)
    Scenario("待分办", "445300-12345-ZWFWTS", "citizen", ("submit",)),
    Scenario("分办超期", "445300-12345-ZSTS", "citizen2", ("submit",), age="red"),
)


@dataclass
class Result:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # item or account missing, or refused


# --- who acts -------------------------------------------------------------------------------


def _staff_for(task: CaseTask) -> Any:
    """A demo reviewer of the task's department at its stage (the first by username)."""
    role = (
        StaffRole.objects.filter(
            department_id=task.department_id, role=Role.REVIEWER, stage=task.stage or "undertake"
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return role.user if role else None


def _open(app: Application, kind: str | None = None) -> list[CaseTask]:
    qs = CaseTask.objects.filter(application=app, status__in=ACTIVE_TASK_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("pk"))


def _complete(app: Application, kind: str, decision: str, **fields: Any) -> bool:
    tasks = _open(app, kind)
    if not tasks:
        return False
    for task in tasks:
        actor = _staff_for(task)
        if actor is None:
            return False
        services.task_complete(task=task, actor=actor, decision=decision, **fields)
    return True


def _complete_until_gone(app: Application, kind: str, decision: str, **fields: Any) -> bool:
    """Complete every open task of ``kind`` until none is left (stages follow each other)."""
    for _round in range(6):
        if not _open(app, kind):
            return True
        if not _complete(app, kind, decision, **fields):
            return False
    return not _open(app, kind)


def _supplement(app: Application) -> bool:
    snapshot = app.item_version.snapshot or {}
    requirement = next(iter(snapshot.get("materials") or ()), None)
    missing = (
        [{"requirement_id": requirement["id"], "note": "请上传清晰的原件扫描件（演示）"}]
        if requirement
        else [{"name": "补充说明", "note": "请补充申请事由（演示）"}]
    )
    return _complete(app, "acceptance", "supplement", missing=missing, opinion="材料不清晰")


STEPS: dict[str, Callable[[Application], bool]] = {
    "accept": lambda app: _complete(app, "acceptance", "approve", opinion="材料齐全，予以受理"),
    "supplement": _supplement,
    "not_accept": lambda app: _complete(
        app, "acceptance", "deny", opinion="申请事项不属于本机关职权范围（演示）"
    ),
    "reviews": lambda app: _complete_until_gone(app, "review", "approve", opinion="同意"),
    "approve": lambda app: _complete_until_gone(app, "decision", "approve", opinion="准予许可"),
    "deny": lambda app: (
        _complete_until_gone(app, "review", "approve", opinion="同意")
        and _complete_until_gone(app, "decision", "deny", opinion="经审查不符合法定条件（演示）")
    ),
}


# --- the form -------------------------------------------------------------------------------


def _value(spec: dict, marker: str, person: Any = None) -> Any:
    kind = spec.get("type", "text")
    choices = spec.get("choices") or []
    if kind in ("choice",) and choices:
        return choices[0]
    if kind == "multichoice" and choices:
        return [choices[0]]
    if kind == "number":
        rules = spec.get("validation") or {}
        return rules.get("min", 1) or 1
    if kind == "bool":
        return True
    if kind == "date":
        return timezone.localdate().isoformat()
    if kind == "id_number":
        return person.id_number if person is not None else ""
    if kind == "phone":
        return person.phone if person is not None else ""
    if kind == "email":
        return "demo@example.com"
    if kind == "credit_code":
        from permits.demo import DEMO_ENTERPRISE

        return DEMO_ENTERPRISE.credit_code
    if kind == "address":
        return "云浮市云城区演示路1号"
    return marker


def _pattern(spec: dict) -> str:
    return str((spec.get("validation") or {}).get("pattern") or "")


def _fits(spec: dict, value: Any) -> Any:
    """``value``, or a stand-in the field's pattern accepts; None when none does."""
    pattern = _pattern(spec)
    if not pattern or not isinstance(value, str):
        return value
    for candidate in (value, "DEMO", "ZHANG WEI", "A1", "1"):
        if re.fullmatch(pattern, candidate):
            return candidate
    return None


def _marker_field(fields: list[dict]) -> str | None:
    for spec in fields:
        if spec.get("type", "text") in ("text", "textarea") and not _pattern(spec):
            return spec["name"]
    return None


def _form(
    item: ServiceItem, scenario: Scenario, person: Any = None
) -> tuple[dict, str | None, str]:
    fields = list((item.current_version.snapshot or {}).get("form_fields") or ())
    name = _marker_field(fields)
    marker = f"{MARKER}{scenario.key}"
    if name == "company_name":
        marker = f"云浮市{scenario.key}演示有限公司"
    form = {}
    for spec in fields:
        value = marker if spec["name"] == name else _fits(spec, _value(spec, marker, person))
        if value not in ("", None):
            form[spec["name"]] = value
    return form, name, marker


# --- dating back ------------------------------------------------------------------------------


def _age_for(app: Application, age: int | str, today) -> int:
    """Working days to date the case back: a number, or enough for its open tasks' earliest
    due to be today (``yellow``: due today) or one working day ago (``red``)."""
    if isinstance(age, int):
        return age
    dues = [t.due_at for t in _open(app) if t.due_at]
    if not dues:
        return 0
    due_day = cal.local_date(min(dues))
    days = max(0, cal.working_days_between(today, due_day))
    return days + (1 if age == "red" else 0)


def _back(moment: datetime | None, days: int) -> datetime | None:
    """A moment ``days`` working days earlier, at the same time of day."""
    if moment is None:
        return None
    local = timezone.localtime(moment, cal.SHANGHAI)
    day = cal.add_working_days(local.date(), -days)
    return local - timedelta(days=(local.date() - day).days)


def _date_back(app: Application, days: int) -> None:
    """Move the case's clock columns back by ``days`` working days (see the module doc)."""
    if days <= 0:
        return
    for column in ("submitted_at", "accepted_at", "due_at", "legal_due_at", "created_at"):
        if hasattr(app, column):
            setattr(app, column, _back(getattr(app, column), days))
    app.save()  # pre_save keeps yellow_at in step with due_at
    for task in CaseTask.objects.filter(application=app):
        task.created_at = _back(task.created_at, days)
        task.due_at = _back(task.due_at, days)
        task.save()
    for part in ApplicationDepartment.objects.filter(application=app):
        for column in ("due_at", "started_at"):
            if hasattr(part, column):
                setattr(part, column, _back(getattr(part, column), days))
        part.save()


# --- running --------------------------------------------------------------------------------


def _person(user: Any) -> Any:
    from permits.models import Person

    return Person.objects.filter(user=user).first()


def _on_behalf_of(scenario: Scenario) -> str | None:
    """The demo enterprise's handler applies for it (the items that ask for a credit code)."""
    if scenario.on_behalf_of:
        return scenario.on_behalf_of
    if scenario.applicant == ENTERPRISE_ACCOUNT:
        from permits.demo import DEMO_ENTERPRISE

        return DEMO_ENTERPRISE.credit_code
    return None


def _run(scenario: Scenario, item: ServiceItem, user: Any, *, today) -> Application:
    form, _name, _marker = _form(item, scenario, _person(user))
    app = services.application_create(
        actor=user, item=item, form=form, on_behalf_of=_on_behalf_of(scenario)
    )
    _upload_required(app, user)
    if "submit" in scenario.steps:
        services.application_submit(actor=user, application=app)
    for step in scenario.steps:
        if step == "submit":
            continue
        app.refresh_from_db()
        if not STEPS[step](app):
            logger.warning("demo case %s: step %s could not be taken", scenario.key, step)
            break
    app.refresh_from_db()
    _date_back(app, _age_for(app, scenario.age, today))
    return app


_PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7356a810000000049454e44ae426082"
)


def _upload_required(app: Application, user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for req in (app.item_version.snapshot or {}).get("materials") or ():
        # Tolerable ones too: since acceptance refuses a missing required material unless it is
        # recorded as tolerated (容缺, with a commitment), a demo case without one was refused
        # at acceptance, rolled back and tried again by every later seed_demo.
        if not req.get("required"):
            continue
        if material_generated_online(req.get("copies")):
            continue  # 在线生成: made from the form, never uploaded
        types = [t.lower() for t in req.get("accepted_types") or ()]
        if types and "pdf" not in types and "png" in types:  # a photo: a real 1×1 PNG
            pdf = SimpleUploadedFile(f"{req['name'][:40]}.png", _PNG_1PX, content_type="image/png")
        else:
            pdf = SimpleUploadedFile(
                f"{req['name'][:40]}.pdf",
                b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                content_type="application/pdf",
            )
        try:
            services.material_upload(
                actor=user, application=app, requirement_id=req["id"], uploaded_file=pdf
            )
        except Exception as exc:  # noqa: BLE001 - a type the demo file does not fit: say so
            logger.warning(
                "demo case %s: material %s not uploaded (%s)", app.number, req["id"], exc
            )


def seed_inflight(*, now: datetime | None = None) -> Result:
    """Create the missing demo cases in flight, date them, and sweep so they take their
    colours. Runs inside ``seed_demo``'s transaction."""
    from onestop.errors import DomainError
    from workflow.deadlines.sweep import sweep_inline

    now = now or timezone.now()
    if cal.missing_years(cal.local_date(now)):
        cal.calendar_seed()  # the working-day calendar the dues are counted in
    today = cal.local_date(now)
    result = Result()
    # Three queries when everything is there already (a second seed_demo).
    items = {
        i.code: i
        for i in ServiceItem.objects.select_related("current_version").filter(
            code__in={s.item for s in SCENARIOS}
        )
    }
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in={s.applicant for s in SCENARIOS})
    }
    from permits.models import Person

    persons = {p.user_id: p for p in Person.objects.filter(user__in=list(users.values()))}
    made = set()
    for code, user_id, form in Application.objects.filter(
        item__code__in=list(items), created_by__in=list(users.values())
    ).values_list("item__code", "created_by_id", "form_data"):
        made.update((code, user_id, str(v)) for v in (form or {}).values() if isinstance(v, str))
    for scenario in SCENARIOS:
        item, user = items.get(scenario.item), users.get(scenario.applicant)
        if item is None or item.current_version is None or user is None:
            result.skipped.append(scenario.key)
            continue
        _form_data, _name, marker = _form(item, scenario, persons.get(user.pk))
        if (item.code, user.pk, marker) in made:
            result.kept.append(scenario.key)
            continue
        try:
            with transaction.atomic():  # a refused step leaves no half-made case behind
                _run(scenario, item, user, today=today)
        except DomainError as exc:
            logger.warning(
                "demo case %s refused: %s %s", scenario.key, exc, getattr(exc, "fields", "")
            )
            result.skipped.append(scenario.key)
            continue
        result.created.append(scenario.key)
    if result.created:
        sweep_inline(now=now)
    return result
