"""The invitation made with the answer, the signed link (no login; forged, expired, used), the
reminder after 3 days and the system default rating after the set days."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from evaluations import links, services
from evaluations.models import Invitation, Rating
from notifications.services import notify_for_event
from outbox.models import OutboxMessage
from permits.choices import EventAction
from tests.evaluations.helpers import answered_complaint, client, finished_case

pytestmark = pytest.mark.django_db

NOW = "2026-11-02 09:00:00+08:00"  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _by_link(token, level, **body):
    return client().post(
        f"/api/v1/ratings/by-link/{token}/", {"level": level, **body}, format="json"
    )


def test_the_answer_opens_an_invitation_and_the_result_notice_carries_the_link(work_calendar):
    world, app = finished_case()
    invitation = Invitation.objects.get(subject_id=app.pk)
    assert invitation.round == 1 and invitation.closed_at is None
    event = app.events.get(action=EventAction.APPROVED)
    notices = notify_for_event(event_id=event.pk)
    applicant_notice = [n for n in notices if n.recipient_id == world.citizen.pk]
    assert applicant_notice
    token = links.token_for(invitation.pk)
    assert f"/r/{token}/" in applicant_notice[0].body


def test_a_link_rates_once_without_login_and_a_forged_or_expired_one_is_refused(
    work_calendar, _frozen
):
    world, app = finished_case()
    invitation = Invitation.objects.get(subject_id=app.pk)
    token = links.token_for(invitation.pk)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    bad = _by_link(forged, 4)
    assert bad.status_code == 404 and bad.json()["code"] == "not_found"
    other = signing.dumps({"i": invitation.pk}, salt="another-salt", compress=True)
    assert _by_link(other, 4).status_code == 404
    ok = _by_link(token, 5, tags=["overall", "efficiency"], comment="很快")
    assert ok.status_code == 201, ok.content
    rating = Rating.objects.get(application=app)
    assert rating.source == "link" and rating.rated_by is None and rating.level == 5
    used = _by_link(token, 4)
    assert used.status_code == 409 and used.json()["code"] == "conflict"
    assert "used" in used.json()["detail"] or used.json()["detail"]
    # A link of another (open) answer, past its age: 410 expired.
    world2, app2 = finished_case()
    token2 = links.token_for(Invitation.objects.get(subject_id=app2.pk).pk)
    _frozen.shift(timedelta(days=31))
    late = _by_link(token2, 3)
    assert late.status_code == 410 and late.json()["code"] == "expired"


def test_reminder_after_three_days_then_the_default_rating_excluded_from_figures(
    work_calendar, _frozen, settings
):
    settings.RATING_DEFAULT_DAYS = 7
    settings.RATING_DEFAULT_LEVEL = 3
    world, app = answered_complaint()
    invitation = Invitation.objects.get(subject_id=app.pk)
    assert services.invitations_sweep() == {"reminded": 0, "defaulted": 0}
    _frozen.shift(timedelta(days=3, minutes=1))
    assert services.invitations_sweep() == {"reminded": 1, "defaulted": 0}
    assert OutboxMessage.objects.filter(task_name="evaluations.invitation_remind").exists()
    assert services.invitation_remind(invitation_id=invitation.pk) is True
    assert services.invitation_remind(invitation_id=invitation.pk) is False  # once
    reminded = app.events.get(action=EventAction.RATING_REMINDED)
    notices = notify_for_event(event_id=reminded.pk)
    assert any("/r/" in n.body for n in notices)
    _frozen.shift(timedelta(days=4))
    assert services.invitations_sweep()["defaulted"] == 1
    rating = services.rating_default(invitation_id=invitation.pk)
    assert rating is not None and rating.is_default and rating.level == 3
    assert services.rating_default(invitation_id=invitation.pk) is None  # idempotent
    app.refresh_from_db()
    assert app.status == "closed"  # API.md: the default rating closes an answered case
    app.process.refresh_from_db()
    assert app.process.finished is not None
    assert not Rating.objects.counted().filter(pk=rating.pk).exists()
    assert app.events.filter(action=EventAction.RATING_DEFAULTED).count() == 1
    assert not hasattr(rating, "rectification") or rating.rectification is None


def test_beat_schedule_has_the_invitations_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ratings-invitations"]
    assert entry["task"] == "evaluations.sweep_invitations"
    assert timezone.now()


def test_a_window_visit_plugs_in_as_a_rated_object(work_calendar):
    from evaluations.subjects import Subject, register_subject, subject_for
    from tests.workflow import factories as f

    owner = subject_for("visit")  # the centres app's registration, restored below

    dept = f.department(name="综合窗口")
    clerk = f.staff(dept)
    register_subject(
        Subject(
            kind="visit",
            facts=lambda pk: (
                {
                    "department_id": dept.pk,
                    "region_id": dept.region_id,
                    "channel": "window",
                    "staff_id": clerk.pk,
                }
                if pk == 17
                else None
            ),
        )
    )
    try:
        invitation = services.subject_invitation_open(kind="visit", subject_id=17)
        assert services.subject_invitation_open(kind="visit", subject_id=17) == invitation
        token = links.token_for(invitation.pk)
        page = client().get(f"/r/{token}/")
        assert page.status_code == 200 and "服务态度" in page.content.decode()
        ok = _by_link(token, 4, tags=["attitude"])
        assert ok.status_code == 201, ok.content
        rating = Rating.objects.get(subject_kind="visit", subject_id=17)
        assert rating.staff_id == clerk.pk and rating.channel == "window"
        assert _by_link(token, 4).status_code == 409
        # The sweep leaves visits alone (no reminder or default for them).
        other = services.subject_invitation_open(kind="visit", subject_id=18)
        assert other.closed_at is None
        assert services.invitations_sweep(now=timezone.now() + timedelta(days=30)) == {
            "reminded": 0,
            "defaulted": 0,
        }
    finally:
        register_subject(owner)
