"""Comments are published only after a staff member reviewed them (好差评结果公开 without
personal data): ID and phone numbers are masked automatically, so is the name of the staff
member rated; the reviewer removes abuse (edits the text) or refuses to publish it. Unreviewed
comments count in the figures (their rating does) but are never shown."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.errors import Conflict, Invalid, NotFound
from permits.validators import mask_id_number, mask_phone
from workflow import access

from .choices import CommentStatus
from .models import Rating

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def mask_comment(text: str, *, names: list[str] = ()) -> str:
    """``text`` with every ID number, mobile and landline number masked, and the given names
    (the staff member rated) replaced by asterisks."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text or "")
    text = _MOBILE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))[-11:]), text)
    text = _LANDLINE.sub(lambda m: mask_phone(m.group(0).replace("-", "")), text)
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, "*" * len(name))
    return text


def _staff_names(rating: Rating) -> list[str]:
    staff = rating.staff
    if staff is None:
        return []
    return [staff.get_full_name(), staff.last_name + staff.first_name, staff.get_username()]


def moderation_queue(*, user):
    """Comments waiting for review in the departments the user supervises."""
    if not access.can_moderate_ratings(user):
        raise NotFound()
    qs = Rating.objects.filter(comment_status=CommentStatus.PENDING).select_related(
        "department", "staff", "application"
    )
    scope = access.rating_department_ids(user)
    if scope is not None:
        qs = qs.filter(department_id__in=sorted(scope))
    return qs.order_by("rated_at")


def comment_review(*, actor, rating_id: int, publish: bool, text: str | None = None) -> Rating:
    """Publish (the reviewed text, masked again) or refuse a pending comment. Who: a user who
    moderates ratings of the rating's department."""
    rating = moderation_queue(user=actor).filter(pk=rating_id).first()
    if rating is None:
        raise NotFound()
    if rating.comment_status != CommentStatus.PENDING:
        raise Conflict()
    if publish:
        body = (text if text is not None else rating.comment).strip()
        if not body:
            raise Invalid(fields={"text": [_("Give the text to publish.")]})
        rating.comment_published = mask_comment(body, names=_staff_names(rating))
        rating.comment_status = CommentStatus.PUBLISHED
    else:
        rating.comment_published = ""
        rating.comment_status = CommentStatus.REJECTED
    rating.comment_reviewed_by = actor
    rating.comment_reviewed_at = timezone.now()
    updated = Rating.objects.filter(pk=rating.pk, comment_status=CommentStatus.PENDING).update(
        comment_published=rating.comment_published,
        comment_status=rating.comment_status,
        comment_reviewed_by=actor,
        comment_reviewed_at=rating.comment_reviewed_at,
    )
    if not updated:
        raise Conflict()
    return rating
