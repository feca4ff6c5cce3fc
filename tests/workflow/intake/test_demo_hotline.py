"""The demo's hotline content: the 12345 items' dispatch catalogue and request limits come
from the demo catalogue, and ``seed_demo`` enters the demo caller's two calls (one answered,
one urgent and open) once, however often it runs; the operator's page finds them by number."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from permits.models import Application, ServiceItem
from workflow.intake.models import RequestLimit
from workflow.management.commands.seed_demo_hotline import DEMO_CALLER, HOTLINE_ITEM
from workflow.spec import version_spec

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_hotline_page_a_caller_with_history():
    with time_machine.travel("2026-11-03 10:00:00+08:00", tick=True):
        call_command("seed_demo", verbosity=0)
        call_command("seed_demo", verbosity=0)  # idempotent: the calls are entered once
    item = ServiceItem.objects.get(code=HOTLINE_ITEM)
    spec = version_spec(item.current_version)
    assert {d.code for d in spec.dispatch_catalogue} >= {"yf-zjj", "yf-sthj", "yf-gaj"}
    assert RequestLimit.objects.filter(
        item=item, request_kind="complaint", urgency="urgent", amount=4, unit="hour"
    ).exists()
    assert RequestLimit.objects.filter(item__code="445300-12345-ZSTS", unit="hour").exists()

    cases = Application.objects.filter(item=item, channel="hotline").order_by("submitted_at")
    assert [(c.request_kind, c.urgency, c.status) for c in cases] == [
        ("enquiry", "normal", "answered"),
        ("complaint", "urgent", "submitted"),
    ]
    urgent = cases[1]
    assert urgent.due_at - urgent.submitted_at == timedelta(hours=4)  # the item's own limit

    operator = Client()
    operator.force_login(get_user_model().objects.get(username="hotline"))
    page = operator.get(reverse("intake:hotline"), {"phone": DEMO_CALLER})
    body = page.content.decode()
    assert page.status_code == 200
    assert all(c.number in body for c in cases)
