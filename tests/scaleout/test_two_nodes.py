"""Scale-out without surprises (issue 11 item 4): two web nodes and two Celery workers, all
with production settings, on one PostgreSQL database, one Redis database and one media
folder (the shared volume). A case goes through both nodes as a load balancer without sticky
sessions would send it, and everything one node needs from another is found:

- the citizen logs in on node A and, with the same cookie, is known on node B (sessions in
  the database);
- the application and its upload made on A are read, and the file downloaded, on B (uploads
  through the storage API, on the shared storage);
- a reviewer logs in with a second factor on B; acceptance on B, review on A, decision on B;
  the notices are made and sent by whichever worker takes the task (one broker queue);
- the progress query's throttle and the registration limit count across both nodes (Redis);
- a staff member logged in on B suspends the item in the admin on A; B stops serving the page
  it had from the shared cache (catalogue version stamp in Redis) and serves the new one.

Real clock, real processes: each wait polls with a limit. docs/scaling.md says what each node
must share.
"""

from __future__ import annotations

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from departments.models import Role
from departments.services import staff_role_grant
from notifications.models import Delivery, Notification
from permits.models import Application, Material, ServiceItem
from tests.celery_worker import Worker
from tests.conftest import suite_redis_url
from tests.production_env import PII_KEYS
from tests.scaleout.nodes import Browser, WebNode, collected_static, node_env
from tests.workflow import factories as f

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pw-123456"
TRACK_PER_MINUTE = 4


def _code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def _wait(predicate, *, limit: float, what: str, logs) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {limit} s waiting for {what}; logs:\n{logs()}")


@pytest.fixture
def cluster(settings, tmp_path):
    """Two web nodes and two workers; yields ``(a, b, workers)``."""
    import redis

    # This process seals the test's personal data with the keys the nodes read it with.
    settings.PII_ENCRYPTION_KEYS = PII_KEYS["PII_ENCRYPTION_KEYS"]
    settings.PII_LOOKUP_KEYS = PII_KEYS["PII_LOOKUP_KEYS"]
    settings.PASSWORD_HASHERS = ["tests.scaleout.nodes.QuickPBKDF2"]
    url = suite_redis_url()
    broker = redis.Redis.from_url(url)
    broker.flushdb()  # this suite's own database number: nothing else lives here
    env = node_env(
        redis_url=url,
        media_root=tmp_path / "shared-media",
        SECURE_SSL_REDIRECT="false",
        TRACK_THROTTLE_RATE=f"{TRACK_PER_MINUTE}/min",
        REGISTER_PER_IP_HOUR="1",
        CELERY_VISIBILITY_TIMEOUT="30",
    )
    workers = [Worker(broker=url), Worker(broker=url)]
    nodes: list[WebNode] = []
    started = time.monotonic()
    try:
        for worker in workers:  # they need no static files: start while those are collected
            worker.start(concurrency=1, extra_env=env)
        env["STATIC_ROOT"] = str(collected_static(env))
        collected = time.monotonic()
        nodes = [WebNode("a", env), WebNode("b", env)]
        for node in nodes:
            node.start()
        for node in nodes:
            node.wait_ready()
        sys.stderr.write(
            f"scale-out cluster: static files {collected - started:.0f} s, "
            f"both nodes ready {time.monotonic() - collected:.0f} s later\n"
        )
        yield nodes[0], nodes[1], workers
    finally:
        for node in nodes:
            node.stop()
        for worker in workers:
            worker.kill()
        broker.flushdb()
        for log in [n.log for n in nodes] + [w.log for w in workers]:  # a failure quoted them
            log.unlink(missing_ok=True)


def _world():
    lead = f.department(name="市场监督管理局")
    other = f.department(name="自然资源局")
    item = f.published_item(lead=lead, parallel=[other], service_model="parallel")
    reviewer = f.staff(lead, Role.REVIEWER, "undertake")
    staff_role_grant(
        actor=None, user=reviewer, department=other, role=Role.REVIEWER, stage="undertake"
    )
    reviewer_device = TOTPDevice.objects.create(user=reviewer, name="app", confirmed=True)
    citizen, person = f.citizen()
    admin = get_user_model().objects.create_superuser("scaleout-admin", password=PASSWORD)
    admin_device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    return {
        "item": item,
        "reviewer": reviewer,
        "reviewer_device": reviewer_device,
        "citizen": citizen,
        "last4": person.id_number[-4:],
        "admin": admin,
        "admin_device": admin_device,
    }


def _log_in(browser: Browser, node: WebNode, username: str) -> None:
    answer = browser.form_post(
        node, "/accounts/login/", {"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 302, (answer.status_code, answer.text[:500])
    assert "sessionid" in browser.cookies


def _open_tasks(browser: Browser, node: WebNode, headers: dict, number: str) -> list[dict]:
    """The case's open tasks the reviewer may act on: in the departments' queue, or already
    their own (the decision goes to the reviewer who accepted)."""
    results = []
    for scope in ("queue", "mine"):
        answer = browser.get(
            node, f"/api/v1/tasks/?scope={scope}&application={number}", headers=headers
        )
        assert answer.status_code == 200, answer.text
        results += [t for t in answer.json()["results"] if t["status"] in ("open", "assigned")]
    return results


def _succeeded(worker: Worker) -> list[str]:
    return re.findall(r"Task (\S+)\[[^\]]+\] succeeded", worker.log.read_text(errors="replace"))


def test_a_case_goes_through_two_web_nodes_and_two_workers(cluster):
    a, b, workers = cluster
    world = _world()
    item: ServiceItem = world["item"]

    def logs() -> str:
        return "\n".join(
            [f"--- node {n.name}\n{n.tail()}" for n in (a, b)]
            + [f"--- worker {i}\n{w.tail()}" for i, w in enumerate(workers)]
        )

    # Both workers are up before anything is queued (each says "ready" once connected).
    _wait(
        lambda: all(w.log.exists() and " ready." in w.tail() for w in workers),
        limit=90,
        what="both workers",
        logs=logs,
    )

    # --- The citizen: logs in on A, applies with an upload on A, is known on B. ---------------
    citizen = Browser()
    _log_in(citizen, a, world["citizen"].username)
    created = citizen.post(
        a, "/api/v1/applications/", json={"item": item.code, "form": {"summary": "申请"}}
    )
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    requirement = f.requirement_ids(item)[0]
    uploaded = citizen.post(
        a,
        f"/api/v1/applications/{number}/materials/",
        data={"requirement": str(requirement)},
        files={"file": ("申请书.pdf", f.PDF_BYTES, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    material_id = uploaded.json()["id"]

    seen = citizen.get(b, f"/api/v1/applications/{number}/")  # the same cookie, the other node
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "draft"
    assert [m["id"] for m in seen.json()["materials"]] == [material_id]
    download = citizen.get(b, f"/api/v1/applications/{number}/materials/{material_id}/file/")
    assert download.status_code == 200, download.text[:300]
    assert download.content == f.PDF_BYTES
    stored = Material.objects.get(pk=material_id).file.name
    assert stored.startswith("materials/")  # under the shared MEDIA_ROOT, through the storage

    submitted = citizen.post(b, f"/api/v1/applications/{number}/submit/")
    assert submitted.status_code == 200, submitted.text
    assert citizen.get(a, f"/api/v1/applications/{number}/").json()["status"] == "submitted"

    # --- The reviewer (of both departments): a token with the second factor on B; the case's
    # tasks are done on B and A in turn. -----------------------------------------------------
    staff = Browser()
    issued = staff.post(
        b,
        "/api/v1/auth/token/",
        json={
            "username": world["reviewer"].username,
            "password": PASSWORD,
            "otp": _code_for(world["reviewer_device"]),
        },
    )
    assert issued.status_code == 200, issued.text
    token = {"Authorization": f"Token {issued.json()['token']}"}
    done_on = []
    for step in range(8):  # acceptance, the two departments' reviews, the decision
        node = (b, a)[step % 2]
        tasks = _open_tasks(staff, node, token, number)
        if not tasks:
            break
        task = tasks[0]
        body = {"decision": "approve", "opinion": "同意"}
        done = staff.post(node, f"/api/v1/tasks/{task['id']}/complete/", json=body, headers=token)
        assert done.status_code == 200, (task, done.status_code, done.text)
        done_on.append((task["kind"], node.name))
    kinds = [kind for kind, _ in done_on]
    assert kinds[0] == "acceptance" and kinds[-1] == "decision" and "review" in kinds, done_on
    assert {name for _, name in done_on} == {"a", "b"}
    assert Application.objects.get(number=number).status == "approved"
    assert citizen.get(a, f"/api/v1/applications/{number}/").json()["status"] == "approved"

    # --- The notices: made and sent by the workers, whichever took each task. ----------------
    citizen_user = world["citizen"]

    def notices_sent() -> bool:
        notices = Notification.objects.filter(
            recipient=citizen_user, event__action__in=["accepted", "approved"]
        )
        if notices.count() < 2:
            return False
        deliveries = Delivery.objects.filter(notification__in=notices)
        return deliveries.exists() and not deliveries.exclude(status="sent").exists()

    _wait(notices_sent, limit=120, what="the accepted and approved notices, sent", logs=logs)
    ran = [_succeeded(w) for w in workers]
    assert "notifications.notify_event" in ran[0] + ran[1], ran
    assert "notifications.deliver" in ran[0] + ran[1], ran

    # --- Throttles and limits count across the nodes (one Redis). ----------------------------
    anonymous = Browser()
    track = f"/api/v1/track/?number={number}&id_last4={world['last4']}"
    answers = [anonymous.get((a, b)[i % 2], track).status_code for i in range(TRACK_PER_MINUTE)]
    assert answers == [200] * TRACK_PER_MINUTE
    over = [anonymous.get(node, track) for node in (a, b)]
    assert [r.status_code for r in over] == [429, 429], [r.text for r in over]
    assert over[1].json()["code"] == "throttled"

    def register(node: WebNode, n: int):
        return Browser().post(
            node,
            "/api/v1/auth/register/",
            json={
                "username": f"scaleout-new-{n}",
                "password": "Qz7!mK2#pLx9vR",
                "real_name": "李新",
                "id_type": "resident_id",
                "id_number": f.resident_id(900 + n),
                "phone": f"1390000{n:04d}",
            },
        )

    first = register(a, 1)
    assert first.status_code == 202, first.text  # the same answer whether the ID was known
    assert get_user_model().objects.filter(username="scaleout-new-1").exists()
    second = register(b, 2)  # one registration an hour per address, whichever node counts it
    assert second.status_code == 429, second.text

    # --- The shared page cache: rendered on A, served by B; invalidated by the admin on A. ---
    guide = f"/items/{item.code}/"
    first_view = Browser().get(a, guide)
    assert first_view.status_code == 200
    assert first_view.headers.get("X-Page-Cache") == "miss"
    from_b = Browser().get(b, guide)
    assert from_b.headers.get("X-Page-Cache") == "hit"  # B never rendered it
    assert from_b.content == first_view.content

    admin = Browser()
    _log_in(admin, b, world["admin"].username)
    verified = admin.form_post(
        b, "/accounts/two-factor/", {"code": _code_for(world["admin_device"])}
    )
    assert verified.status_code == 302, verified.text[:500]
    changelist = "/admin/permits/serviceitem/"
    suspended = admin.form_post(
        a, changelist, {"action": "suspend", "_selected_action": str(item.pk), "index": "0"}
    )
    assert suspended.status_code == 302, suspended.text[:500]
    item.refresh_from_db()
    assert item.status == "suspended"

    after = Browser().get(b, guide)
    assert after.status_code == 200
    assert after.headers.get("X-Page-Cache") == "miss"  # the stamp moved: not the old page
    assert after.content != first_view.content
    again = [Browser().get(node, guide) for node in (a, b)]
    assert [r.headers.get("X-Page-Cache") for r in again] == ["hit", "hit"]
    assert again[0].content == after.content

    # Concurrent reads on both nodes at once still agree (no node-local copy anywhere).
    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda n: Browser().get(n, guide).content, [a, b, a, b]))
    assert set(pages) == {after.content}

    # A figure for docs/scaling.md's Redis sizing (shown with -s): a cached guide page's bytes.
    import redis

    shared = redis.Redis.from_url(suite_redis_url())
    keys = list(shared.scan_iter(match="*portal:page:*"))
    assert keys
    sys.stderr.write(
        f"scale-out: guide page {len(after.content)} bytes, {len(keys)} cached page(s) use "
        f"{sum(shared.memory_usage(k) or 0 for k in keys)} bytes in Redis\n"
    )
