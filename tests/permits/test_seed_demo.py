"""``manage.py seed_demo``: idempotent, refuses production, and seeds what the demo journeys need.

The demo is seeded once per module, inside a transaction that is rolled back at the end, so the
rest of the suite still starts from an empty database. Tests that write (a second seed, drift)
run in their own nested transaction and are rolled back too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from departments.models import Department, DepartmentKind, Region, ServiceCentre, StaffRole, Window
from permits import demo as data
from permits.models import (
    Category,
    Certificate,
    FormField,
    Handler,
    ItemDepartment,
    ItemStatus,
    ItemVersion,
    MaterialRequirement,
    Person,
    ServiceItem,
    ServiceModel,
)
from permits.services import item_validate
from permits.validators import is_valid_credit_code, is_valid_resident_id
from tests.production_env import PII_KEYS
from tests.workflow.factories import pdf_file
from workflow import services as case_services
from workflow.models import CaseTask

# Hashing the demo password with PBKDF2 per login check would dominate the run time.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BASE_DIR = Path(settings.BASE_DIR)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module and rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        output = seed()
        yield output
        transaction.set_rollback(True)


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def catalogue_digest() -> str:
    """Every column (timestamps included) of the seeded structure, catalogue and versions."""
    digest = hashlib.sha256()
    for model in (
        Region,
        Department,
        ServiceCentre,
        Window,
        StaffRole,
        get_user_model(),
        Person,
        Handler,
        ServiceItem,
        ItemDepartment,
        MaterialRequirement,
        MaterialRequirement.departments.through,
        FormField,
        ItemVersion,
    ):
        rows = model._default_manager.order_by("pk")
        digest.update(serializers.serialize("json", rows).encode())
    return digest.hexdigest()


def item(code: str) -> ServiceItem:
    return ServiceItem.objects.get(code=code)


def department_codes(item: ServiceItem, role: str) -> set[str]:
    return set(item.departments.filter(role=role).values_list("department__code", flat=True))


# --- Idempotency ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_database(seeded):
    # Given the seeded demo
    counts, digest = table_counts(), catalogue_digest()
    versions = ItemVersion.objects.count()

    # When it is seeded again
    output = seed()

    # Then no table gained or lost a row, no row changed, and no version was published
    assert table_counts() == counts
    assert catalogue_digest() == digest
    assert ItemVersion.objects.count() == versions == len(data.ITEMS)
    assert "New item versions: 0" in output


@pytest.mark.django_db
def test_seeding_again_costs_a_constant_handful_of_queries(seeded, django_assert_max_num_queries):
    # Bulk loads only, so the count does not grow with the number of items, accounts or windows:
    # the users, the import service's checks and its prefetched items, the version numbers
    # before and after, regions, departments, centres, windows, applicants, roles; the items'
    # request limits (a section of the exchange format); the hotline's demo calls already there;
    # and the cases in flight (workflow.demo_inflight): calendar years, items, users, persons,
    # cases, and the establishment case's enterprise and founder-handler among the applicants' rows;
    # the windows' items (centres.demo): windows, items, their listed items; the statistics'
    # check for events not counted yet (one query, nothing missing); the disclosure step
    # (disclosure.demo): its articles by title and its two accounts; the demo's rating
    # (evaluations.demo): its two accounts, the finished case, whether it is rated
    with django_assert_max_num_queries(43):
        seed()


@pytest.mark.django_db
def test_the_seeded_catalogue_is_what_import_catalogue_makes_of_the_demo_file(seeded):
    # import_catalogue, the same import service seed_demo uses, finds nothing to change
    out = io.StringIO()
    call_command("import_catalogue", str(data.CATALOGUE_FILE), "--dry-run", stdout=out)
    assert f"新增 0 个，更新 0 个，未变 {len(data.ITEMS)} 个" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_repairs_drift_without_a_new_version(seeded):
    # Given an item edited by hand: a promised limit raised, a form field deleted, a popularity;
    # and the demo handler's authorisation expired
    code = "445300-SCJG-QYKB"
    ServiceItem.objects.filter(code=code).update(promised_days=3, popularity=5)
    FormField.objects.filter(item__code=code, name="seals").delete()
    Handler.objects.update(valid_until="2020-01-01")

    # When the demo is seeded again
    output = seed()

    # Then the item is back as the demo data says; its configuration equals the frozen version
    # again, so that version is kept
    qykb = item(code)
    assert qykb.promised_days == 1
    assert qykb.form_fields.filter(name="seals").exists()
    assert qykb.popularity == 5  # popularity is the portal's, not configuration
    assert qykb.current_version.number == 1
    assert ItemVersion.objects.count() == len(data.ITEMS)
    assert "New item versions: 0" in output
    # (the demo enterprise's handler; the in-flight establishment case's founder is another)
    assert Handler.objects.get(person__user__username="enterprise").valid_until is None


@pytest.mark.django_db
def test_seed_demo_publishes_a_new_version_only_for_the_item_that_changed(seeded, monkeypatch):
    # Given the demo data with 企业开办's promised limit changed
    code = "445300-SCJG-QYKB"
    changed = [
        {**spec, "promised_days": 2} if spec["code"] == code else spec for spec in data.ITEMS
    ]
    monkeypatch.setattr(data, "ITEMS", changed)
    versions = dict(ServiceItem.objects.values_list("code", "current_version_id"))

    # When the demo is seeded
    output = seed()

    # Then that item, and only that one, has a new version with the new limit
    now = dict(ServiceItem.objects.values_list("code", "current_version_id"))
    assert [c for c in now if now[c] != versions[c]] == [code]
    qykb = item(code)
    assert qykb.current_version.number == 2
    assert qykb.current_version.snapshot["item"]["promised_days"] == 2
    assert f"New item versions: 1 ({len(data.ITEMS)} items): {code}" in output


# --- Production guard ------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_refuses_when_production(settings):
    settings.PRODUCTION = True
    users = get_user_model().objects.count()

    with pytest.raises(CommandError, match="PRODUCTION is true"):
        seed()

    assert get_user_model().objects.count() == users


def test_seed_demo_exits_non_zero_in_production():
    env = {**os.environ, **PII_KEYS, "PRODUCTION": "true", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refuses to run" in result.stderr


# --- Structure -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_regions_are_yunfus_real_divisions(seeded):
    expected = {
        "445300": "云浮市",
        "445302": "云城区",
        "445303": "云安区",
        "445381": "罗定市",
        "445321": "新兴县",
        "445322": "郁南县",
    }
    assert dict(Region.objects.filter(code__in=expected).values_list("code", "name")) == expected
    city = Region.objects.get(code="445300")
    assert set(city.children.values_list("code", flat=True)) == set(expected) - {"445300"}
    towns = Region.objects.filter(level="town")
    assert towns.count() >= 5
    for town in towns:
        assert len(town.code) == 9 and town.code.startswith(town.parent.code)


@pytest.mark.django_db
def test_every_region_has_one_service_centre_with_a_comprehensive_window(seeded):
    for region in Region.objects.all():
        centre = ServiceCentre.objects.get(region=region)
        assert centre.department.kind == DepartmentKind.SERVICE_CENTRE
        assert centre.department.region_id == region.pk
        assert centre.windows.filter(kind="comprehensive").exists()
    desk = Window.objects.get(centre__region__code="445300", number="01")
    assert desk.clerk_on_duty.username == "clerk"


@pytest.mark.django_db
def test_departments_have_the_three_kinds_and_a_hierarchy(seeded):
    kinds = dict(Department.objects.values_list("code", "kind"))
    assert kinds["yf-zwfw"] == DepartmentKind.SERVICE_CENTRE
    assert kinds["yf-12345"] == kinds["yf-xfj"] == DepartmentKind.COORDINATING
    assert kinds["yf-scjg"] == kinds["ld-scjg"] == DepartmentKind.PERMITTING
    ld = Department.objects.get(code="ld-scjg")
    assert (ld.parent.code, ld.region.code, ld.level) == ("yf-scjg", "445381", "county")
    for department in Department.objects.select_related("region"):
        assert department.level == department.region.level


# --- Catalogue -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_item_is_valid_and_published_with_a_version(seeded):
    items = ServiceItem.objects.prefetch_related("departments", "materials", "form_fields")
    assert items.count() == len(data.ITEMS) >= 20
    for it in items:
        item_validate(item=it)  # every catalogue rule (raises ItemConfigurationInvalid)
        it.full_clean()
        for row in [*it.departments.all(), *it.materials.all(), *it.form_fields.all()]:
            row.full_clean()
        assert it.status == ItemStatus.PUBLISHED
        assert it.current_version is not None and it.current_version.item_id == it.pk
        assert it.promised_days <= it.legal_days
        leads = [d for d in it.departments.all() if d.role == "lead"]
        assert [d.department_id for d in leads] == [it.lead_department_id], it.code
        roles = {d.role for d in it.departments.all()}
        if it.service_model == ServiceModel.PARALLEL:
            assert "parallel" in roles, it.code
        if it.service_model == ServiceModel.CORE_DEPARTMENT:
            assert "consult" in roles and it.consult_mode, it.code
        assert it.legal_basis and it.conditions and it.procedure and it.keywords, it.code
        assert it.enquiry_phone.startswith("0766-") and it.max_visits in (0, 1), it.code
        assert it.form_fields.exists(), it.code


@pytest.mark.django_db
def test_all_service_models_and_categories_are_present(seeded):
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert set(published.values_list("service_model", flat=True)) == set(ServiceModel.values)
    assert set(published.values_list("category", flat=True)) == set(Category.values)


@pytest.mark.django_db
def test_company_setup_is_parallel_with_the_five_departments(seeded):
    qykb = item("445300-SCJG-QYKB")
    assert qykb.service_model == ServiceModel.PARALLEL
    assert qykb.lead_department.code == "yf-scjg"
    assert qykb.audience == "both"  # a person applies as founder: the enterprise is not born yet
    assert department_codes(qykb, "parallel") == {"yf-gaj", "yf-sw", "yf-rsj", "yf-ybj", "yf-gjj"}
    assert 1 <= qykb.promised_days <= qykb.legal_days <= 3
    assert qykb.materials.filter(tolerable=True).exists()  # 容缺受理 is possible
    assert qykb.search_text and "qykb" in qykb.search_text.split()

    # The same service in 罗定市's catalogue, with the county's departments.
    ld = item("445381-SCJG-QYKB")
    assert ld.region.code == "445381" and ld.lead_department.code == "ld-scjg"
    assert department_codes(ld, "parallel") == {"ld-gaj", "ld-sw", "ld-rsj", "ld-ybj", "ld-gjj"}


@pytest.mark.django_db
def test_items_behind_the_other_demo_journeys(seeded):
    food = item("445300-SCJG-SPJYXK")
    assert food.onsite_inspection and food.audience in ("enterprise", "both")
    assert food.departments.get(role="lead").stages == ["undertake", "check", "sign"]

    works = item("445300-ZJJ-SGXK")
    assert department_codes(works, "parallel") == {"yf-zrzy", "yf-xfzd", "yf-sthj"}
    assert works.departments.get(role="lead").stages == ["undertake", "check", "sign"]
    assert works.departments.filter(role="parallel", stages__len=3).exists() or any(
        len(d.stages) == 3 for d in works.departments.filter(role="parallel")
    )
    assert works.deemed_approval_allowed
    assert works.departments.filter(timeout_policy="deemed_approval").exists()

    passport = item("445300-GAJ-PTHZ")
    assert passport.service_model == ServiceModel.CORE_DEPARTMENT
    assert passport.consult_mode == "sequential"
    consults = list(passport.departments.filter(role="consult").order_by("position"))
    assert [d.department.code for d in consults] == ["yf-gaj-za", "yf-rsj"]
    assert consults[0].position < consults[1].position

    trader = item("445300-SCJG-GTHDJ")
    assert (trader.service_model, trader.online_depth) == ("single_department", "full_online")

    complaint = ServiceItem.objects.get(code="445300-12345-ZWFWTS")
    assert complaint.service_model == ServiceModel.PROCESS_CENTRED and complaint.allows_anonymous
    noise = ServiceItem.objects.get(code="445300-12345-ZSTS")
    assert set(
        noise.departments.filter(role="dispatch").values_list("department__code", flat=True)
    ) == {
        "yf-sthj",
        "yf-gaj",
    }
    for it in ServiceItem.objects.filter(service_model=ServiceModel.PROCESS_CENTRED):
        assert it.lead_department.kind == DepartmentKind.COORDINATING, it.code

    counties = set(ServiceItem.objects.values_list("region__code", flat=True))
    assert {"445300", "445381", "445321"} <= counties


@pytest.mark.django_db
def test_every_department_stage_of_every_item_has_a_reviewer(seeded):
    reviewers = set(StaffRole.objects.filter(role="reviewer").values_list("department_id", "stage"))
    for part in ItemDepartment.objects.select_related("item", "department"):
        for stage in part.stages:
            assert (part.department_id, stage) in reviewers, (part.item.code, part.department.code)


@pytest.mark.django_db
def test_materials_name_the_departments_that_need_them(seeded):
    qykb = item("445300-SCJG-QYKB")
    roster = qykb.materials.get(name="员工花名册")
    assert not roster.required
    assert set(roster.departments.values_list("code", flat=True)) == {"yf-rsj", "yf-ybj", "yf-gjj"}
    for material in MaterialRequirement.objects.all():
        assert material.departments.exists(), material
        assert material.accepted_types and material.max_size > 0


# --- Accounts ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_demo_account_logs_in_with_the_demo_password(seeded, rf):
    # django-axes checks every login against its lockout, so authenticate() needs the request.
    for account in data.ACCOUNTS:
        request = rf.post("/accounts/login/")
        user = authenticate(request, username=account.username, password=settings.DEMO_PASSWORD)
        assert user is not None, account.username
    assert authenticate(rf.post("/accounts/login/"), username="citizen", password="wrong") is None


@pytest.mark.django_db
def test_demo_accounts_have_their_roles(seeded):
    User = get_user_model()
    for account in data.ACCOUNTS:
        user = User.objects.get(username=account.username)
        held = set(
            user.staff_roles.values_list("department__code", "role", "stage", "region__code")
        )
        wanted = {
            (r.department, r.role, r.stage, r.region if r.role == "supervisor" else None)
            for r in account.roles
        }
        assert held == wanted, account.username

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="clerk").is_staff
    assert StaffRole.objects.get(user__username="supervisor_ld").region.code == "445381"
    stages = set(
        StaffRole.objects.filter(department__code="yf-zjj", role="reviewer").values_list(
            "stage", flat=True
        )
    )
    assert stages == {"undertake", "check", "sign"}


@pytest.mark.django_db
def test_applicant_accounts_have_valid_identities(seeded):
    citizen = Person.objects.get(user__username="citizen")
    assert citizen.real_name == "张伟" and is_valid_resident_id(citizen.id_number)
    handler = Handler.objects.get(person__user__username="enterprise")
    assert handler.enterprise.name == "云浮市石艺科技有限公司"
    assert is_valid_credit_code(handler.enterprise.credit_code)
    assert handler.is_current() and handler.covers("445300-SCJG-SPJYXK")
    assert not Person.objects.filter(user__username="clerk").exists()


@pytest.mark.django_db
def test_summary_lists_every_account(seeded):
    for account in data.ACCOUNTS:
        assert account.username in seeded
    assert settings.DEMO_PASSWORD in seeded


def test_demo_identifiers_are_computed_with_the_national_checksums():
    assert data.organisation_code("MA4WH7K3") == "MA4WH7K37"
    assert is_valid_credit_code(data.DEMO_ENTERPRISE.credit_code)
    assert data.DEMO_ENTERPRISE.credit_code.startswith("91445302")
    for account in data.ACCOUNTS:
        if account.person:
            assert is_valid_resident_id(account.person.id_number)


# --- The demo journeys of issue 3, on the seeded data ------------------------------------------

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
THURSDAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


def user(username: str):
    return get_user_model().objects.get(username=username)


def open_task(app, *, kind: str, department: str | None = None):
    tasks = CaseTask.objects.filter(application=app, kind=kind, status__in=["open", "assigned"])
    if department:
        tasks = tasks.filter(department__code=department)
    (task,) = tasks
    return task


def upload_key_materials(app, actor) -> None:
    for requirement in app.item_version.snapshot["materials"]:
        # Tolerable ones too: acceptance refuses a missing required material unless it is
        # recorded as tolerated (容缺), which these journeys do not exercise.
        if requirement["required"]:
            case_services.material_upload(
                actor=actor,
                application=app,
                requirement_id=requirement["id"],
                uploaded_file=pdf_file(),
            )


@pytest.mark.django_db
def test_demo_company_setup_by_a_founder_through_five_departments(seeded):
    citizen = user("citizen")
    founder = Person.objects.get(user=citizen)
    with time_machine.travel(THURSDAY, tick=False):
        # The citizen applies as founder: a person, the enterprise does not exist yet
        app = case_services.application_create(
            actor=citizen,
            item=item("445300-SCJG-QYKB"),
            form={
                "company_name": "云浮市云石文化创意有限公司",
                "company_type": "有限责任公司（自然人独资）",
                "registered_capital": 50,
                "address": "云浮市云城区云城街道星岩四路1号",
                "business_scope": "石材工艺品设计、销售；文化创意服务。",
                "legal_rep_name": founder.real_name,
                "legal_rep_id": founder.id_number,
                "contact_phone": founder.phone,
                "employee_count": 5,
                "seals": ["公章", "财务专用章", "发票专用章"],
            },
        )
        upload_key_materials(app, citizen)
        case_services.application_submit(actor=citizen, application=app)

        # 市场监管 accepts; the five departments each find their own review at once
        case_services.task_complete(
            task=open_task(app, kind="acceptance"), actor=user("scjg_undertake"), decision="approve"
        )
        reviews = CaseTask.objects.filter(application=app, kind="review")
        assert set(reviews.values_list("department__code", flat=True)) == {
            "yf-gaj",
            "yf-sw",
            "yf-rsj",
            "yf-ybj",
            "yf-gjj",
        }
        for username, code in [
            ("gaj_reviewer", "yf-gaj"),
            ("sw_reviewer", "yf-sw"),
            ("rsj_reviewer", "yf-rsj"),
            ("ybj_reviewer", "yf-ybj"),
            ("gjj_reviewer", "yf-gjj"),
        ]:
            case_services.task_complete(
                task=open_task(app, kind="review", department=code),
                actor=user(username),
                decision="approve",
                opinion="同意",
            )

        # 市场监管 decides and the business licence is issued
        case_services.task_complete(
            task=open_task(app, kind="decision"),
            actor=user("scjg_undertake"),
            decision="approve",
            opinion="准予设立登记",
        )
    app.refresh_from_db()
    assert app.status == "approved"
    assert Certificate.objects.get(application=app).type == "营业执照"


@pytest.mark.django_db
def test_demo_food_licence_by_the_enterprise_handler_with_inspection(seeded):
    handler = user("enterprise")
    with time_machine.travel(THURSDAY, tick=False):
        app = case_services.application_create(
            actor=handler,
            item=item("445300-SCJG-SPJYXK"),
            on_behalf_of=data.DEMO_ENTERPRISE.credit_code,
            form={
                "enterprise_name": data.DEMO_ENTERPRISE.name,
                "credit_code": data.DEMO_ENTERPRISE.credit_code,
                "legal_rep": data.DEMO_ENTERPRISE.legal_representative,
                "premises_address": "云浮市云城区河口街道石材城东路8号",
                "business_form": "餐饮服务经营者",
                "business_items": ["热食类食品制售", "自制饮品制售"],
                "area_sqm": 120,
                "safety_manager": "陈志强",
                "safety_manager_phone": "13800138002",
                "delivery": "电子证照",
            },
        )
        upload_key_materials(app, handler)
        case_services.application_submit(actor=handler, application=app)
        case_services.task_complete(
            task=open_task(app, kind="acceptance"), actor=user("scjg_undertake"), decision="approve"
        )
        case_services.task_complete(
            task=open_task(app, kind="inspection"),
            actor=user("scjg_undertake"),
            decision="pass",
            inspected_on="2026-11-27",
            inspectors=["周敏", "吴俊"],
            findings="经营场所、设备布局与申报一致。",
        )
        # The lead has three stages: the decision is signed at 签发
        decision = open_task(app, kind="decision")
        assert decision.stage == "sign"
        case_services.task_complete(
            task=decision, actor=user("scjg_sign"), decision="approve", opinion="准予许可"
        )
    app.refresh_from_db()
    assert app.status == "approved" and app.applicant_enterprise.name == data.DEMO_ENTERPRISE.name
    assert Certificate.objects.get(application=app).type == "食品经营许可证"


def test_readme_lists_every_demo_account():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    assert settings.DEMO_PASSWORD in section
    for account in data.ACCOUNTS:
        assert f"| `{account.username}` |" in section, account.username
