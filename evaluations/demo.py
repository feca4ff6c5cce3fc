"""The demo's ratings (seed_demo step ``evaluations.demo``): the finished 企业开办 case of
``citizen2`` rated 非常满意 with a comment that the city supervisor has reviewed, so the public
ratings page (``/ratings/``) and the board's panel show this month's figures on first look.
The refused 个体户登记 case (不予许可) is left unrated for the tour: rating it 不满意 as
``citizen2`` opens a rectification task in 市场监管局's inbox (README).

Through the services (rating_submit, comment_review), idempotent: a case rated already is kept.
Runs inside seed_demo's transaction, after the cases in flight (workflow.demo_inflight)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from permits.models import Application, ApplicationStatus

from .models import Rating
from .moderation import comment_review
from .services import rating_submit

ITEM = "445300-SCJG-QYKB"
APPLICANT = "citizen2"
MODERATOR = "supervisor"
COMMENT = "材料一次提交，几个部门同时审批，很快就办好了，不用来回跑。"


def seed_ratings() -> SimpleNamespace:
    """Rate the demo's finished establishment case once (seed_demo counts ``created`` /
    ``kept`` / ``skipped``)."""
    key = "企业开办（已办结）"
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[APPLICANT, MODERATOR])
    }
    applicant, moderator = users.get(APPLICANT), users.get(MODERATOR)
    if applicant is None:
        return SimpleNamespace(created=[], kept=[], skipped=[key])
    case = (
        Application.objects.filter(
            item__code=ITEM, created_by=applicant, status=ApplicationStatus.APPROVED
        )
        .order_by("pk")
        .first()
    )
    if case is None:
        return SimpleNamespace(created=[], kept=[], skipped=[key])
    if Rating.objects.filter(application=case).exists():
        return SimpleNamespace(created=[], kept=[key], skipped=[])
    rating = rating_submit(
        actor=applicant,
        application=case,
        level=5,
        tags=["overall", "efficiency", "convenience"],
        comment=COMMENT,
    )
    if moderator is not None:
        comment_review(actor=moderator, rating_id=rating.pk, publish=True)
    return SimpleNamespace(created=[key], kept=[], skipped=[])
