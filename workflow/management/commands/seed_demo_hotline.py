"""``manage.py seed_demo_hotline``: the 12345 hotline's demo calls, so the operator's intake page
(``/office/hotline/``) has a caller with history. ``seed_demo`` runs it by name after loading the
catalogue and the accounts (permits never imports workflow); it can also be run on its own.

A demo caller (``DEMO_CALLER``) has called twice: an enquiry last week that the operator answered
at once (即时办结), and an urgent 夜间施工噪声 complaint today, registered and waiting for
triage (its 4-hour limit from the item's ``request_limits`` runs around the clock). Searching
the caller's number on the hotline page shows both; a new call about the noise can be linked to
the open case (重复件合并). Everything goes through the services (create, submit, complete),
as the operator's page does. Idempotent: a call already entered (the same text on the hotline
item) is not entered again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from permits.models import Application, ServiceItem
from workflow import services
from workflow.models import CaseTask, TaskStatus

DEMO_CALLER = "13902661234"
HOTLINE_ITEM = "445300-12345-RXSQ"
OPERATOR = "hotline"

CALLS = [
    {
        "key": "answered-enquiry",
        "days_ago": 6,
        "request_kind": "enquiry",
        "urgency": "normal",
        "appeal_type": "咨询",
        "content": "来电咨询：居住证办理需要哪些材料，能否网上办理？",
        "answer": "已答复：居住证可在“云浮一站式”网上申请，需身份证、居住登记凭证；"
        "详见事项“居住证办理（首次申领）”。",
    },
    {
        "key": "open-noise",
        "days_ago": 0,
        "request_kind": "complaint",
        "urgency": "urgent",
        "appeal_type": "投诉",
        "content": "来电反映：云城区世纪大道东侧工地每晚23点后仍在施工，噪声很大，"
        "要求尽快到场制止。",
        "location": "云浮市云城区世纪大道东侧",
    },
]


class Command(BaseCommand):
    help = "Enter the 12345 hotline's demo calls (idempotent; run by seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("seed_demo_hotline refuses to run: settings.PRODUCTION is true.")
        # One query says which calls are in: seeding again costs that query alone.
        there = set(
            Application.objects.filter(
                item__code=HOTLINE_ITEM,
                channel="hotline",
                form_data__content__in=[c["content"] for c in CALLS],
            ).values_list("form_data__content", flat=True)
        )
        missing = [c for c in CALLS if c["content"] not in there]
        if not missing:
            self._report(0, options)
            return
        operator = get_user_model().objects.filter(username=OPERATOR).first()
        item = ServiceItem.objects.accepting().filter(code=HOTLINE_ITEM).first()
        if operator is None or item is None:
            raise CommandError("Run seed_demo first: the hotline operator or item is missing.")
        for call in missing:
            with transaction.atomic():
                self._enter(operator, item, call)
        self._report(len(missing), options)

    def _report(self, entered: int, options: dict) -> None:
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(
                f"seed_demo_hotline: {entered} call(s) entered, "
                f"{len(CALLS) - entered} already there (caller {DEMO_CALLER})."
            )

    def _enter(self, operator, item: ServiceItem, call: dict) -> None:
        called_at = timezone.localtime() - timedelta(days=call["days_ago"])
        form = {
            "appeal_type": call["appeal_type"],
            "content": call["content"],
            "caller_phone": DEMO_CALLER,
        }
        if call.get("location"):
            form["location"] = call["location"]
        app = services.application_create(
            actor=operator,
            item=item,
            form=form,
            channel="hotline",
            caller={
                "phone": DEMO_CALLER,
                "called_at": called_at.isoformat(),
                "urgency": call["urgency"],
                "note": call["content"],
            },
            request_kind=call["request_kind"],
        )
        services.application_submit(actor=operator, application=app)
        if call.get("answer"):
            triage = CaseTask.objects.get(
                application=app, kind="triage", status__in=[TaskStatus.OPEN, TaskStatus.ASSIGNED]
            )
            services.task_complete(
                task=triage, actor=operator, decision="answer", opinion=call["answer"]
            )
