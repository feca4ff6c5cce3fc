"""``Idempotency-Key`` (API.md, Conventions) through the API: the key's row is taken first, so
of two requests with one key exactly one acts; bodies compare as parsed data, files by sha256."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from permits.models import Application, Material
from tests.concurrency import Workers, fresh
from tests.workflow import factories as f
from tests.workflow.journey import build_world
from workflow.models import IdempotentRequest
from workflow.services import idempotency

NOW = "2026-11-02 09:00:00+08:00"


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _create(user, item_code, key, summary="开办"):
    return client_for(user).post(
        "/api/v1/applications/",
        {"item": item_code, "form": {"summary": summary}},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_exactly_one_acts_100_of_100():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions on separate connections")
    world = build_world(0, materials=[])
    code = world.item.code
    workers = Workers(2)
    runs = []
    try:
        for i in range(100):
            key = f"concurrent-{i}"
            runs.append(
                workers.run(
                    lambda k=key: _create(fresh(world.citizen), code, k),
                    lambda k=key: _create(fresh(world.citizen), code, k),
                )
            )
    finally:
        workers.stop()
    for i, (a, b) in enumerate(runs):
        assert not isinstance(a, BaseException) and not isinstance(b, BaseException), (a, b)
        acted = [r for r in (a, b) if r.status_code == 201 and "Idempotent-Replayed" not in r]
        assert len(acted) == 1, (i, a.status_code, b.status_code)
        (other,) = [r for r in (a, b) if r is not acted[0]]
        if other.status_code == 201:  # the first had answered: its answer, replayed
            assert other["Idempotent-Replayed"] == "true"
            assert other.json()["number"] == acted[0].json()["number"]
        else:  # the first was still running
            assert other.status_code == 409 and other.json()["code"] == "conflict", other.json()
    # exactly one case per key, and every key holds its one answer
    assert Application.objects.filter(item=world.item).count() == 100
    rows = IdempotentRequest.objects.filter(user=world.citizen)
    assert rows.count() == 100 and not rows.filter(status_code__isnull=True).exists()


@pytest.mark.django_db
class TestThroughTheApi:
    @pytest.fixture(autouse=True)
    def _frozen(self):
        with time_machine.travel(NOW, tick=True):
            yield

    def test_same_key_with_another_body_is_422_and_acts_not(self):
        world = build_world(1)
        r1 = _create(world.citizen, world.item.code, "k-422", summary="甲")
        r2 = _create(world.citizen, world.item.code, "k-422", summary="乙")
        assert r1.status_code == 201
        assert r2.status_code == 422 and r2.data["code"] == "idempotency_mismatch"
        assert "Idempotency-Key" in r2.data["fields"]
        assert Application.objects.filter(item=world.item).count() == 1

    def test_same_body_in_another_key_order_replays(self):
        world = build_world(1)
        c = client_for(world.citizen)
        body = '{"item": "%s", "form": {"summary": "x"}, "on_behalf_of": ""}'
        r1 = c.post(
            "/api/v1/applications/",
            body % world.item.code,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-order",
        )
        reordered = '{"on_behalf_of": "", "form": {"summary": "x"}, "item": "%s"}'
        r2 = c.post(
            "/api/v1/applications/",
            reordered % world.item.code,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-order",
        )
        assert r1.status_code == 201, r1.data
        assert r2.status_code == 201 and r2["Idempotent-Replayed"] == "true"
        assert r2.data["number"] == r1.data["number"]

    def test_a_retried_multipart_upload_with_the_same_file_replays(self):
        world = build_world(1)
        c = client_for(world.citizen)
        number = _create(world.citizen, world.item.code, "k-app").data["number"]
        req = f.requirement_ids(world.item)[0]
        url = f"/api/v1/applications/{number}/materials/"

        def upload(name="申请书.pdf", content=None):
            file = f.pdf_file(name) if content is None else f.SimpleUploadedFile(name, content)
            # every encoding picks its own multipart boundary: raw bytes never match twice
            return c.post(
                url,
                {"requirement": req, "file": file},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY="k-upload",
            )

        r1, r2 = upload(), upload()
        assert r1.status_code == r2.status_code == 201, (r1.data, r2.data)
        assert r2["Idempotent-Replayed"] == "true" and r2.data["id"] == r1.data["id"]
        assert Material.objects.filter(application__number=number).count() == 1
        # another file under the same key is another body
        other = f.read(f.pdf_file()) + b"\n% another\n"
        r3 = upload(content=other)
        assert r3.status_code == 422 and r3.data["code"] == "idempotency_mismatch"
        assert Material.objects.filter(application__number=number).count() == 1

    def test_a_failed_act_frees_the_key_for_a_retry(self):
        world = build_world(1)
        c = client_for(world.citizen)
        number = _create(world.citizen, world.item.code, "k-new").data["number"]
        submit = f"/api/v1/applications/{number}/submit/"
        r1 = c.post(submit, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-submit")
        assert r1.status_code == 400 and r1.data["code"] == "missing_materials"
        assert not IdempotentRequest.objects.filter(key="k-submit").exists()
        req = f.requirement_ids(world.item)[0]
        c.post(
            f"/api/v1/applications/{number}/materials/",
            {"requirement": req, "file": f.pdf_file()},
            format="multipart",
        )
        r2 = c.post(submit, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-submit")
        assert r2.status_code == 200 and r2.data["status"] == "submitted"

    def test_a_key_still_running_answers_409(self):
        world = build_world(1)
        user = world.citizen
        body = {"item": world.item.code, "form": {"summary": "开办"}}
        fingerprint = idempotency.request_fingerprint(
            method="POST", path="/api/v1/applications/", data=body
        )
        IdempotentRequest.objects.create(
            user=user, key="k-running", body_hash=fingerprint, method="POST", path="/"
        )
        r = client_for(user).post(
            "/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-running"
        )
        assert r.status_code == 409 and r.data["code"] == "conflict"
        assert not Application.objects.filter(item=world.item).exists()


def test_fingerprint_compares_parsed_data_and_files_by_sha256():
    from django.http import QueryDict

    a = QueryDict(mutable=True)
    a.update({"requirement": "1"})
    b = QueryDict(mutable=True)
    b.update({"requirement": "1"})
    a["file"] = f.pdf_file("甲.pdf")
    b["file"] = f.pdf_file("甲.pdf")
    fp = idempotency.request_fingerprint
    assert fp(method="POST", path="/x/", data=a) == fp(method="POST", path="/x/", data=b)
    assert fp(method="POST", path="/x/", data={"a": 1, "b": [1, 2]}) == fp(
        method="post", path="/x/", data={"b": [1, 2], "a": 1}
    )
    assert fp(method="POST", path="/x/", data={"a": 1}) != fp(
        method="POST", path="/y/", data={"a": 1}
    )


@pytest.mark.django_db
def test_an_idempotent_request_is_audited_once_with_its_answer_and_a_replay_again():
    """The key's answer and the request's audit record go in one statement (the cost of a
    transition, docs/architecture.md); the middleware then leaves that request out, and still
    records the replay (which did not act) and a refusal."""
    from audit.models import AuditCategory, AuditRecord
    from tests.workflow.journey import submitted_case
    from workflow.models import CaseTask

    world = build_world(1)
    app = submitted_case(world)
    task = CaseTask.objects.get(application=app, kind="acceptance")
    lead = client_for(world.lead_staff["undertake"])

    def rows():
        return AuditRecord.objects.filter(
            category=AuditCategory.REQUEST, object_id=str(task.pk)
        ).order_by("pk")

    url = f"/api/v1/tasks/{task.pk}/claim/"

    first = lead.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="audit-1")
    assert first.status_code == 200 and first.data["status"] == "assigned", first.data
    (row,) = rows()
    assert row.status_code == 200 and row.method == "POST" and row.path == url
    assert row.actor_id == world.lead_staff["undertake"].pk and row.action.startswith("post ")
    assert IdempotentRequest.objects.get(key="audit-1").status_code == 200

    again = lead.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="audit-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert rows().count() == 2

    other = client_for(world.staff[world.departments[0].code]["undertake"])
    refused = other.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="audit-2")
    assert refused.status_code in (403, 404, 409)
    assert rows().count() == 3 and rows().last().status_code == refused.status_code
    assert not IdempotentRequest.objects.filter(key="audit-2").exists()
