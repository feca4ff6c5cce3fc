"""The checks of a rating's answer (level, criteria and 差评 reasons, comment), shared by every
way a rating comes in (``evaluations.services``, ``evaluations.subject_ratings``,
``evaluations.hotline``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.errors import Invalid

from .choices import ALL_TAGS, BAD_REASONS, Level


def validate(level, tags, comment) -> tuple[int, list[str], list[str], str]:
    errors: dict[str, list[str]] = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        errors["level"] = [_("Choose a level from 1 to 5.")]
    if not isinstance(tags, list | tuple):
        tags = []
        errors["tags"] = [_("Unknown criteria or reasons.")]
    tags = list(dict.fromkeys(tags))
    unknown = [t for t in tags if not isinstance(t, str) or t not in ALL_TAGS]
    if unknown:
        errors["tags"] = [_("Unknown criteria or reasons.")]
    comment = (comment if isinstance(comment, str) else "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("Keep the comment under 2000 characters.")]
    if errors:
        raise Invalid(fields=errors)
    reasons = [t for t in tags if t in BAD_REASONS]
    criteria = [t for t in tags if t not in BAD_REASONS]
    return level, criteria, reasons, comment
