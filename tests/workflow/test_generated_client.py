"""Another agency's integration, as they would build it: a Python client generated from the
project's OpenAPI schema with openapi-python-client (requirements-dev.txt), driving a whole
parallel case — register, apply, upload, submit, every task (claim + complete), verify the
certificate. Every answer is parsed by the generated models, so a schema that does not say
what the code returns (a list declared as an array while it answers the paginated envelope, a
body declared in three content types) fails here."""

from __future__ import annotations

import importlib
import io
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import time_machine
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from tests.workflow import factories as f
from tests.workflow.journey import build_world

pytestmark = pytest.mark.django_db

NOW = "2026-11-02 09:00:00+08:00"
PASSWORD = "pw-123456"  # the factories' staff password


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package generated offline from the schema file, imported."""
    binary = shutil.which("openapi-python-client") or str(
        Path(sys.executable).with_name("openapi-python-client")
    )
    out = tmp_path_factory.mktemp("client")
    schema = SchemaGenerator().get_schema(request=None, public=True)
    (out / "schema.yaml").write_bytes(OpenApiYamlRenderer().render(schema, renderer_context={}))
    result = subprocess.run(
        [
            binary,
            "generate",
            "--path",
            "schema.yaml",
            "--output-path",
            "yfclient",
            "--meta",
            "none",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(Path(sys.executable).parent), "HOME": str(out)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(out))
    try:
        yield lambda name: importlib.import_module(f"yfclient.{name}")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == "yfclient" or m.startswith("yfclient.")]:
            del sys.modules[name]


@pytest.fixture(autouse=True)
def _frozen():
    cache.clear()  # auth throttles
    # Real WSGI requests close the connection when they end (as Django's own test client
    # prevents too): the test's transaction must survive them.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with time_machine.travel(NOW, tick=True):
            yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()


def _transport():
    return httpx.WSGITransport(app=get_wsgi_application())


def test_a_generated_client_drives_a_whole_parallel_case(generated):
    c = generated("client")
    models = generated("models")
    types = generated("types")
    accounts = "api.accounts."
    v1 = "api.v1."
    world = build_world(2, stages={0: ["undertake", "check"]})
    anonymous = c.Client(base_url="http://testserver", httpx_args={"transport": _transport()})

    def login(username):
        token = generated(accounts + "auth_token").sync(
            client=anonymous,
            body=models.TokenInputRequest(username=username, password=PASSWORD),
        )
        assert isinstance(token, models.Token), token
        return c.AuthenticatedClient(
            base_url="http://testserver",
            token=token.token,
            prefix="Token",
            httpx_args={"transport": _transport()},
        )

    # register a citizen and sign in (the answer does not say whether the ID was on record)
    received = generated(accounts + "auth_register").sync(
        client=anonymous,
        body=models.RegisterInputRequest(
            username="integrator",
            password=PASSWORD,
            real_name="赵六",
            id_number=f.resident_id(4242),
            phone="13800004242",
        ),
    )
    assert isinstance(received, models.RegistrationReceived), received
    assert f.resident_id(4242) not in received.detail
    citizen = login("integrator")

    # apply, upload every key material, submit
    created = generated(v1 + "v1_applications_create").sync(
        client=citizen,
        body=models.ApplicationCreateRequest(
            item=world.item.code,
            form=models.ApplicationCreateRequestForm.from_dict({"summary": "开办企业"}),
        ),
        idempotency_key="apply-1",
    )
    assert isinstance(created, models.ApplicationDetail), created
    number = created.number
    assert created.status == "draft" and created.channel == "api"
    for req in f.requirement_ids(world.item):
        row = generated(v1 + "v1_applications_materials_create").sync(
            number,
            client=citizen,
            body=models.MaterialUploadRequest(
                requirement=req,
                file=types.File(
                    payload=io.BytesIO(f.read(f.pdf_file())),
                    file_name="申请书.pdf",
                    mime_type="application/pdf",
                ),
            ),
        )
        assert isinstance(row, models.MaterialRow), row
        assert len(row.sha256) == 64
    submitted = generated(v1 + "v1_applications_submit_create").sync(number, client=citizen)
    assert isinstance(submitted, models.ApplicationDetail), submitted
    assert submitted.status == "submitted"
    listing = generated(v1 + "v1_applications_list").sync(client=citizen)
    assert isinstance(listing, models.PaginatedApplicationSummaryList), listing
    assert listing.count == 1 and listing.results[0].number == number

    # every task: the one who may take it finds it in the queue, claims and completes it; the
    # decision is already in the accepter's own list (DECISION_TASK_TO_ACCEPTER)
    staff = [*world.lead_staff.values()] + [
        user for dept in world.departments for user in world.staff[dept.code].values()
    ]
    clients = {u.username: login(u.username) for u in staff}
    done = []

    def _approve_body(models, kind):
        # The schema offers one body per task kind and decision (the step registry's input
        # serializers), so the client has one model each: approve as this task's kind.
        prefix = str(kind).capitalize()
        decision = getattr(models, f"{prefix}ApproveInputDecisionEnum")("approve")
        return getattr(models, f"{prefix}ApproveInputRequest")(decision=decision, opinion="同意")

    for _round in range(20):
        found = False
        for (username, client), scope in itertools.product(clients.items(), ("queue", "mine")):
            page = generated(v1 + "v1_tasks_list").sync(
                client=client, scope=models.V1TasksListScope(scope), application=number
            )
            assert isinstance(page, models.PaginatedTaskRowList), page
            for task in page.results:
                if scope == "queue":
                    claimed = generated(v1 + "v1_tasks_claim_create").sync(task.id, client=client)
                    assert isinstance(claimed, models.TaskRow), claimed
                    assert claimed.status == "assigned" and claimed.assignee == username
                else:
                    assert task.kind == "decision" and task.assignee == username
                finished = generated(v1 + "v1_tasks_complete_create").sync(
                    task.id,
                    client=client,
                    body=_approve_body(models, task.kind),
                    idempotency_key=f"complete-{task.id}",
                )
                assert isinstance(finished, models.TaskOutcome), finished
                assert finished.status == "done"
                done.append(task.kind)
                found = True
        if not found:
            break
    assert done[0] == "acceptance" and done[-1] == "decision"
    assert done.count("review") == 3  # two departments, one of them in two stages

    # the certificate verifies, anonymously
    case = generated(v1 + "v1_applications_retrieve").sync(number, client=citizen)
    assert isinstance(case, models.ApplicationDetail), case
    assert case.status == "approved"
    result = case.result
    assert result.certificate_number and result.verification_code
    verified = generated(v1 + "v1_certificates_verify_retrieve").sync(
        client=anonymous, number=result.certificate_number, code=result.verification_code
    )
    assert isinstance(verified, models.CertificateVerify), verified
    assert verified.valid is True
