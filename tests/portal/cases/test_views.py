"""The citizen's pages: the application wizard, my cases, the case page, withdrawal, the
public progress query and certificate verification."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.models import Application, Certificate, Material
from tests.workflow import factories as f
from tests.workflow.journey import (
    accept,
    approve_department,
    build_world,
    decide,
    new_case,
    open_task,
    submitted_case,
)
from workflow import services

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def world():
    return build_world(2, materials=[{"name": "申请书"}, {"name": "场地证明", "tolerable": True}])


@pytest.fixture
def citizen_client(client, world):
    client.force_login(world.citizen)
    return client


def case_url(name, app, *args):
    return reverse(f"portal:{name}", args=[app.number, *args])


# --- ① start ---------------------------------------------------------------------------------


def test_apply_needs_a_login(client, world, settings):
    settings.LOGIN_URL = "/login/"  # the real login page is the accounts engineer's
    response = client.get(reverse("portal:apply", args=[world.item.code]))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_apply_offers_myself_and_only_enterprises_whose_scope_covers_the_item(
    citizen_client, world
):
    covering = f.enterprise(world.person, scope=[world.item.code])
    outside = f.enterprise(world.person, scope=["OTHER-ITEM"])
    expired = f.enterprise(world.person, valid_until=dt.date(2000, 1, 1))

    response = citizen_client.get(reverse("portal:apply", args=[world.item.code]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "self" in body and covering.name in body
    assert outside.name not in body and expired.name not in body


def test_apply_creates_a_draft_for_myself_and_goes_to_the_form(citizen_client, world):
    response = citizen_client.post(
        reverse("portal:apply", args=[world.item.code]), {"applicant": "self"}
    )

    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url("apply_form", app)
    assert app.status == "draft" and app.applicant_person == world.person


def test_apply_refuses_an_item_without_an_online_flow_at_the_first_step(client, db, monkeypatch):
    """Issue 14 item 8: the wizard opened and only refused at submission. Every service model
    has its flow now; an item whose flow is switched off (not in the registry) must still say so."""
    from workflow.flows import registry

    monkeypatch.delitem(registry.FLOWS, "process_centred")
    world = build_world(1, service_model="process_centred")
    client.force_login(world.citizen)
    url = reverse("portal:apply", args=[world.item.code])
    page = client.get(url).content.decode()
    assert "此类事项暂未开通在线办理" in page
    assert 'name="applicant"' not in page
    response = client.post(url, {"applicant": "self"})
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_apply_for_an_enterprise_i_handle(citizen_client, world):
    ent = f.enterprise(world.person)
    citizen_client.post(
        reverse("portal:apply", args=[world.item.code]), {"applicant": f"enterprise:{ent.pk}"}
    )
    app = Application.objects.get()
    assert app.applicant_enterprise == ent and app.handler == world.person


def test_apply_refuses_an_enterprise_i_do_not_handle(citizen_client, world):
    other_user, other_person = f.citizen()
    ent = f.enterprise(other_person)
    response = citizen_client.post(
        reverse("portal:apply", args=[world.item.code]), {"applicant": f"enterprise:{ent.pk}"}
    )
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_apply_lists_drafts_to_resume(citizen_client, world):
    draft = new_case(world, upload=False)
    response = citizen_client.get(reverse("portal:apply", args=[world.item.code]))
    assert draft.number in response.content.decode()


# --- ② the form ------------------------------------------------------------------------------


def test_form_errors_are_shown_in_chinese_next_to_the_field(citizen_client, world):
    app = new_case(world, upload=False)
    response = citizen_client.post(case_url("apply_form", app), {"summary": "", "next": "1"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in body
    assert "必填" in body
    assert "id_summary_errors" in body


def test_form_save_draft_skips_required_and_next_goes_to_materials(citizen_client, world):
    app = new_case(world, upload=False)

    saved = citizen_client.post(case_url("apply_form", app), {"summary": "", "save": "1"})
    assert saved.status_code == 302 and saved["Location"] == case_url("apply_form", app)

    moved = citizen_client.post(case_url("apply_form", app), {"summary": "开办企业", "next": "1"})
    app.refresh_from_db()
    assert moved["Location"] == case_url("apply_materials", app)
    assert app.form_data == {"summary": "开办企业"}


# --- ③ materials -----------------------------------------------------------------------------


def requirement(world, name):
    return next(m for m in world.item.current_version.snapshot["materials"] if m["name"] == name)


def test_upload_shows_the_file_with_preview_and_download(citizen_client, world):
    app = new_case(world, upload=False)
    req = requirement(world, "申请书")
    response = citizen_client.post(
        case_url("apply_materials", app),
        {"requirement": req["id"], "file": f.pdf_file("申请书.pdf")},
    )
    assert response.status_code == 302

    page = citizen_client.get(case_url("apply_materials", app)).content.decode()
    material = Material.objects.get()
    assert "申请书.pdf" in page
    assert case_url("material_file", app, material.pk) + "?inline=1" in page
    assert "PDF" in page  # accepted types shown


def test_a_png_renamed_pdf_is_refused_next_to_its_requirement(citizen_client, world):
    app = new_case(world, upload=False)
    req = requirement(world, "申请书")
    fake = SimpleUploadedFile("营业执照.pdf", PNG)

    response = citizen_client.post(
        case_url("apply_materials", app), {"requirement": req["id"], "file": fake}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "PNG" in body and f"file-{req['id']}-errors" in body
    assert not Material.objects.exists()


def test_replace_keeps_the_old_file_on_record_but_not_current(citizen_client, world):
    app = new_case(world, upload=False)
    req = requirement(world, "申请书")
    citizen_client.post(
        case_url("apply_materials", app), {"requirement": req["id"], "file": f.pdf_file("v1.pdf")}
    )
    old = Material.objects.get()
    citizen_client.post(
        case_url("apply_materials", app),
        {"requirement": req["id"], "replace": old.pk, "file": f.pdf_file("v2.pdf")},
    )
    current = list(Material.objects.current().values_list("original_name", flat=True))
    assert current == ["v2.pdf"]
    assert Material.objects.count() == 2


def test_delete_a_material(citizen_client, world):
    app = new_case(world, upload_tolerable=False)
    material = Material.objects.get()
    response = citizen_client.post(case_url("material_delete", app, material.pk))
    assert response.status_code == 302
    assert not Material.objects.current().exists()


def test_download_has_a_safe_chinese_content_disposition(citizen_client, world):
    app = new_case(world, upload=False)
    services.material_upload(
        actor=world.citizen,
        application=app,
        requirement_id=requirement(world, "申请书")["id"],
        uploaded_file=f.pdf_file("../../营业 执照.pdf"),
    )
    material = Material.objects.get()

    response = citizen_client.get(case_url("material_file", app, material.pk))
    disposition = response["Content-Disposition"]
    assert response.status_code == 200
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("UTF-8''")[1]) == "营业 执照.pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    inline = citizen_client.get(case_url("material_file", app, material.pk) + "?inline=1")
    assert inline["Content-Disposition"].startswith("inline;")


# --- ④ review, ⑤ done --------------------------------------------------------------------------


def test_submit_needs_the_declaration(citizen_client, world):
    app = new_case(world)
    response = citizen_client.post(case_url("apply_review", app), {})
    app.refresh_from_db()
    assert response.status_code == 400
    assert app.status == "draft"
    assert "承诺" in response.content.decode()


def test_submit_refused_while_a_key_material_is_missing(citizen_client, world):
    app = new_case(world, upload=False)
    response = citizen_client.post(case_url("apply_review", app), {"declaration": "on"})
    app.refresh_from_db()
    assert response.status_code == 400
    assert app.status == "draft"
    assert "申请书" in response.content.decode()


def test_submit_with_declaration_goes_to_the_confirmation(citizen_client, world):
    app = new_case(world)
    response = citizen_client.post(case_url("apply_review", app), {"declaration": "on"})
    app.refresh_from_db()
    assert response["Location"] == case_url("apply_done", app)
    assert app.status == "submitted"
    done = citizen_client.get(response["Location"]).content.decode()
    assert app.number in done


def test_a_submitted_case_is_no_longer_editable_in_the_wizard(citizen_client, world):
    app = submitted_case(world)
    for name in ("apply_form", "apply_materials", "apply_review"):
        response = citizen_client.get(case_url(name, app))
        assert response.status_code == 302
        assert response["Location"] == case_url("case_detail", app)


# --- Access: a foreign case answers 404 on every page ------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["case_detail", "apply_form", "apply_materials", "apply_review", "apply_done", "withdraw"],
)
def test_a_foreign_case_answers_404(client, world, name):
    app = submitted_case(world) if name == "apply_done" else new_case(world)
    stranger, _person = f.citizen()
    client.force_login(stranger)
    assert client.get(case_url(name, app)).status_code == 404


def test_a_foreign_material_answers_404(client, world):
    app = new_case(world, upload_tolerable=False)
    material = Material.objects.get()
    stranger, _person = f.citizen()
    client.force_login(stranger)
    assert client.get(case_url("material_file", app, material.pk)).status_code == 404
    assert client.post(case_url("material_delete", app, material.pk)).status_code == 404


def test_a_material_of_another_case_answers_404_under_my_case(citizen_client, world):
    mine = new_case(world, upload_tolerable=False)
    other_user, _ = f.citizen()
    theirs = new_case(world, actor=other_user, upload_tolerable=False)
    their_material = Material.objects.get(application=theirs)
    response = citizen_client.get(case_url("material_file", mine, their_material.pk))
    assert response.status_code == 404


# --- my cases, progress -------------------------------------------------------------------------


def test_my_cases_lists_own_and_enterprise_cases_only(client, world):
    ent = f.enterprise(world.person)
    own = new_case(world)
    for_enterprise = new_case(world, on_behalf_of=ent)
    other_user, _ = f.citizen()
    foreign = new_case(world, actor=other_user)
    client.force_login(world.citizen)

    body = client.get(reverse("portal:my_cases")).content.decode()

    assert own.number in body and for_enterprise.number in body
    assert foreign.number not in body


def test_my_cases_masks_the_applicants_name(citizen_client, world):
    new_case(world)
    body = citizen_client.get(reverse("portal:my_cases")).content.decode()
    assert world.person.real_name not in body
    assert world.person.masked_name in body


def _cases_page_queries(client, world, n):
    for _ in range(n):
        submitted_case(world)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("portal:my_cases"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_my_cases_runs_a_constant_number_of_queries(citizen_client, world):
    few = _cases_page_queries(citizen_client, world, 3)
    many = _cases_page_queries(citizen_client, world, 20)
    assert few == many


def test_progress_turns_green_department_by_department(citizen_client, world):
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])

    body = citizen_client.get(case_url("case_detail", app)).content.decode()

    first, second = world.departments
    assert f'data-department="{first.code}" data-status="approved"' in body
    assert f'data-department="{second.code}" data-status="in_review"' in body
    assert "os-progress-row is-green" in body and "os-progress-row is-blue" in body


def test_supplement_notice_is_shown_once_with_each_missing_item(citizen_client, world):
    app = submitted_case(world)
    req = requirement(world, "申请书")
    task = open_task(app, kind="acceptance")
    services.task_complete(
        task=task,
        actor=world.lead_staff["undertake"],
        decision="supplement",
        missing=[{"requirement": req["id"], "material": None, "note": "请加盖公章"}],
    )

    body = citizen_client.get(case_url("case_detail", app)).content.decode()

    assert "一次性告知" in body
    assert "请加盖公章" in body
    assert case_url("apply_materials", app) in body
    # the applicant can answer it through the same wizard steps
    assert citizen_client.get(case_url("apply_materials", app)).status_code == 200
    resubmit = citizen_client.post(case_url("apply_review", app), {"declaration": "on"})
    app.refresh_from_db()
    assert resubmit.status_code == 302 and app.status == "submitted"


def test_the_certificate_is_shown_with_its_verification_link(citizen_client, world):
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app)
    cert = Certificate.objects.get(application=app)

    body = citizen_client.get(case_url("case_detail", app)).content.decode()

    assert cert.number in body and cert.verification_code in body
    assert reverse("portal:verify") in body


def test_a_denial_states_reasons_and_the_right_to_reconsideration(citizen_client, world):
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app, decision="deny", opinion="选址不符合规划")

    body = citizen_client.get(case_url("case_detail", app)).content.decode()

    assert "选址不符合规划" in body
    assert "行政复议" in body and "行政诉讼" in body


# --- withdrawal -------------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation(citizen_client, world):
    app = submitted_case(world)
    assert citizen_client.get(case_url("withdraw", app)).status_code == 200

    refused = citizen_client.post(case_url("withdraw", app), {})
    app.refresh_from_db()
    assert refused.status_code == 400 and app.status == "submitted"

    done = citizen_client.post(case_url("withdraw", app), {"confirm": "on", "reason": "不办了"})
    app.refresh_from_db()
    assert done.status_code == 302 and app.status == "withdrawn"


def test_a_decided_case_cannot_be_withdrawn(citizen_client, world):
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app)
    response = citizen_client.get(case_url("withdraw", app))
    assert response.status_code == 302


# --- public: progress query and verification -----------------------------------------------------


@pytest.fixture
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_track_with_the_last_four_shows_masked_progress(client, world, fresh_throttle):
    app = submitted_case(world)
    response = client.post(
        reverse("portal:track"),
        {"number": app.number.lower(), "id_last4": world.person.id_number[-4:]},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert app.number in body
    assert world.person.real_name not in body and world.person.masked_name in body
    assert world.person.id_number not in body


def test_track_with_a_wrong_check_value_finds_nothing(client, world, fresh_throttle):
    app = submitted_case(world)
    response = client.post(reverse("portal:track"), {"number": app.number, "id_last4": "0000"})
    assert response.status_code == 404
    assert world.item.name not in response.content.decode()


def test_track_is_throttled(client, world, settings, fresh_throttle):
    from rest_framework.settings import api_settings

    from workflow.api.views import TrackThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "track": "3/min"}
    TrackThrottle.THROTTLE_RATES = rates
    try:
        statuses = [
            client.post(reverse("portal:track"), {"number": "YF1", "id_last4": "1234"}).status_code
            for _ in range(4)
        ]
    finally:
        TrackThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses[:3] == [404, 404, 404]
    assert statuses[3] == 429


def test_page_and_api_share_one_track_counter(client, world, fresh_throttle):
    from rest_framework.settings import api_settings

    from workflow.api.views import TrackThrottle

    TrackThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "track": "2/min"}
    try:
        client.get("/api/v1/track/", {"number": "YF1", "id_last4": "1234"})
        client.post(reverse("portal:track"), {"number": "YF1", "id_last4": "1234"})
        third = client.post(reverse("portal:track"), {"number": "YF1", "id_last4": "1234"})
    finally:
        TrackThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert third.status_code == 429


def test_verify_a_genuine_certificate(client, world):
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app)
    cert = Certificate.objects.get(application=app)

    good = client.get(
        reverse("portal:verify"), {"number": cert.number, "code": cert.verification_code}
    )
    bad = client.get(reverse("portal:verify"), {"number": cert.number, "code": "WRONG"})

    assert "真实有效" in good.content.decode()
    assert world.person.masked_name in good.content.decode()
    assert "真实有效" not in bad.content.decode()


def test_supplements_from_two_departments_read_as_one_notice_with_names(citizen_client, world):
    app = submitted_case(world)
    accept(world, app)
    req = requirement(world, "申请书")
    first, second = world.departments
    for dept, note in ((first, "请补充签字页"), (second, "请提供原件扫描件")):
        services.task_complete(
            task=open_task(app, kind="review", department=dept),
            actor=world.reviewer(dept),
            decision="supplement",
            missing=[{"requirement": req["id"], "material": None, "note": note}],
        )
    app.refresh_from_db()
    assert app.status == "supplement" and app.supplement_notices.count() == 1

    body = citizen_client.get(case_url("case_detail", app)).content.decode()

    # Once in the notice (and once more as its printable PDF, 一次性告知书, in the documents).
    assert body.count("一次性告知") == 1 + body.count('data-testid="document-supplement_notice"')
    for dept, note in ((first, "请补充签字页"), (second, "请提供原件扫描件")):
        assert note in body and dept.name in body
    assert "<strong>申请书</strong>" in body


def test_my_cases_reads_at_most_8_queries_for_10_or_200_cases(world):
    """What the "my cases" page reads for its list (access, count, page, departments): at most
    8 queries, the same for 10 or 200 cases."""
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator

    from workflow import selectors

    counts = []
    for total in (10, 200):
        while Application.objects.count() < total:
            submitted_case(world)
        user = get_user_model().objects.get(pk=world.citizen.pk)  # no access cache yet
        with CaptureQueriesContext(connection) as ctx:
            cases = selectors.application_list_for_user(user=user, filters={}).select_related(
                "applicant_person", "applicant_enterprise"
            )
            page = Paginator(cases, 20).get_page(1)
            shown = [
                (a.number, a.item.name, [p.department.name for p in a.participations.all()])
                for a in page.object_list
            ]
        assert len(shown) == min(total, 20) and page.paginator.count == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 8


@pytest.mark.parametrize(("requirement_id", "replace"), [("²", ""), ("²", "²"), (None, "²")])
def test_an_upload_with_a_malformed_id_is_refused_not_500(
    citizen_client, world, requirement_id, replace
):
    # "²".isdigit() is True, and int("²") raised ValueError: the materials step answered 500.
    app = new_case(world, upload=False)
    req = requirement(world, "申请书")
    body = {"requirement": requirement_id or req["id"], "file": f.pdf_file("申请书.pdf")}
    if replace:
        body["replace"] = replace
    response = citizen_client.post(case_url("apply_materials", app), body)
    assert response.status_code in (302, 400)


# --- issue 14 item 4: the real acceptance limit, and materials generated online -------------


@pytest.fixture
def quick_world(db):
    """A 1-working-day item whose application form (申请书) is generated online."""
    world = build_world(1, materials=[{"name": "申请书"}, {"name": "营业执照"}])
    version = world.item.current_version
    snapshot = version.snapshot
    snapshot["item"]["promised_days"] = 1
    snapshot["materials"][0]["copies"] = "电子件1份（在线生成）"
    # versions are immutable: publish a second one with the changed snapshot
    newer = type(version).objects.create(item=world.item, number=2, snapshot=snapshot)
    world.item.promised_days = 1
    world.item.current_version = newer
    world.item.save()
    return world


def test_a_material_generated_online_is_not_demanded_as_an_upload(client, quick_world):
    world = quick_world
    client.force_login(world.citizen)
    app = new_case(world, upload=False)
    generated, licence = world.item.current_version.snapshot["materials"]
    assert services.missing_materials(app) == [{"requirement": licence["id"], "name": "营业执照"}]

    page = client.get(case_url("apply_materials", app)).content.decode()
    assert "根据申请表在线生成" in page
    section = page.split(f'id="requirement-{generated["id"]}"')[1].split("</section>")[0]
    assert 'type="file"' not in section

    services.material_upload(
        actor=world.citizen,
        application=app,
        requirement_id=licence["id"],
        uploaded_file=f.pdf_file(),
    )
    response = client.post(case_url("apply_review", app), {"declaration": "on"})
    app.refresh_from_db()
    assert response.status_code == 302 and app.status == "submitted"


def test_the_submitted_page_states_the_items_own_acceptance_limit(client, quick_world):
    """A 1-working-day item said "5个工作日内" on the submitted page."""
    world = quick_world
    client.force_login(world.citizen)
    app = submitted_case(world)
    from django.utils import timezone

    from workflow.models import CaseTask
    from workflow.spec import version_spec

    task = CaseTask.objects.get(application=app, kind="acceptance")
    assert version_spec(app.item_version).acceptance_days == 1
    done = client.get(case_url("apply_done", app)).content.decode()
    assert "1个工作日内作出是否受理的决定" in done
    assert "5个工作日" not in done
    assert f"受理决定期限：{timezone.localtime(task.due_at):%Y-%m-%d}" in done
