"""Worlds for the ratings tests: a finished parallel case and an answered process-centred one."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.workflow.journey import accept, approve_department, build_world, decide, submitted_case
from tests.workflow.process_journey import (
    build_process_world,
    dispatch,
    filed_complaint,
    reply,
    send_answer,
)


def finished_case(n: int = 1):
    world = build_world(n)
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"
    return world, app


def answered_complaint():
    world = build_process_world(1)
    (dept,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, dept)
    reply(world, app, dept)
    send_answer(world, app)
    app.refresh_from_db()
    assert app.status == "answered"
    return world, app


def second_answer(world, app):
    (dept,) = world.departments
    dispatch(world, app, dept)
    reply(world, app, dept, "二次处理：已停工整改")
    send_answer(world, app)
    app.refresh_from_db()
    return app


def client(user=None):
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def rate(user, app, level, **body):
    return client(user).post(
        f"/api/v1/applications/{app.number}/rating/", {"level": level, **body}, format="json"
    )
