"""What a load database holds, and whether the pages answer on it (``seed_load_check``):
counts per state and service model, the rows that must agree (one process and one lead row per
submitted case, tasks only on cases with a process), and the status and SQL count of the staff
inbox, the applications API (as the reviewer of the department in most cases) and the public
tracking page, each fetched with Django's test client."""

from __future__ import annotations

from typing import Any


def check() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from departments.models import Role, StaffRole
    from permits.models import Application, ApplicationDepartment, Person, ServiceItem
    from workflow.models import CaseProcess, CaseTask

    out: dict[str, Any] = {}
    out["applications"] = Application.objects.count()
    out["states"] = sorted(set(Application.objects.values_list("status", flat=True).distinct()))
    out["service_models"] = sorted(
        set(Application.objects.values_list("item__service_model", flat=True).distinct())
    )
    out["items"] = ServiceItem.objects.count()
    out["item_versions_used"] = Application.objects.values("item_version").distinct().count()
    out["staff"] = StaffRole.objects.values("user").distinct().count()
    out["persons"] = Person.objects.count()
    out["processes"] = CaseProcess.objects.count()
    out["submitted_without_process"] = (
        Application.objects.exclude(status__in=["draft"]).filter(process__isnull=True).count()
    )
    out["tasks_without_process"] = CaseTask.objects.filter(
        application__process__isnull=True
    ).count()
    # The copies are written with triggers off (session_replication_role = replica): the
    # sweep's narrow rows must have been copied with their tasks, in step with them.
    out["tasks_without_deadline"] = CaseTask.objects.filter(deadline__isnull=True).count()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM workflow_casetask t JOIN workflow_taskdeadline d"
            " ON d.task_id = t.id WHERE (d.application_id, d.department_id, d.due_at,"
            " d.yellow_at, d.live) IS DISTINCT FROM (t.application_id, t.department_id,"
            " t.due_at, t.yellow_at, t.status IN ('open', 'assigned') AND NOT t.paused)"
        )
        out["deadlines_out_of_step"] = cur.fetchone()[0]
    out["participations"] = ApplicationDepartment.objects.count()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM permits_event e WHERE e.item_id IS NULL OR e.service_model = ''"
        )
        out["events_without_item"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM permits_event")
        out["events"] = cur.fetchone()[0]
        cur.execute(
            "SELECT department_id, count(*) FROM permits_applicationdepartment"
            " GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        busiest, busiest_cases = cur.fetchone()
    out["busiest_department_cases"] = busiest_cases
    role = (
        StaffRole.objects.filter(department_id=busiest, role=Role.REVIEWER)
        .order_by("user_id")
        .first()
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    pages = {}
    if role is not None:
        client.force_login(role.user)
        for name, url in (
            ("inbox", "/office/tasks/"),
            ("applications_api", "/api/v1/applications/"),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            pages[name] = {"status": response.status_code, "queries": len(queries)}
            if name == "applications_api" and response.status_code == 200:
                body = response.json()
                pages[name]["count"] = body.get("count")
                pages[name]["rows"] = len(body.get("results") or [])
        client.logout()
    response = client.get("/track/")
    pages["track"] = {"status": response.status_code}
    # A copied case of a generated citizen, tracked by its number and the ID's last four.
    app = (
        Application.objects.filter(applicant_person__user__username__startswith="load-citizen-")
        .exclude(status="draft")
        .select_related("applicant_person")
        .order_by("-pk")
        .first()
    )
    if app is not None:
        response = client.post(
            "/track/", {"number": app.number, "id_last4": app.applicant_person.id_number[-4:]}
        )
        pages["track"]["query_status"] = response.status_code
        pages["track"]["found"] = app.number in response.content.decode()
    out["pages"] = pages
    return out
