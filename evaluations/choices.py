"""The rating's vocabulary (GB/T 39734-2020, 国办发〔2019〕51号): five levels, the criteria of an
online and an on-site rating, the usual 差评 reasons, and the states of a 差评's handling."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied (非常满意)")
    SATISFIED = 4, _("Satisfied (满意)")
    BASICALLY_SATISFIED = 3, _("Basically satisfied (基本满意)")
    UNSATISFIED = 2, _("Unsatisfied (不满意)")
    VERY_UNSATISFIED = 1, _("Very unsatisfied (非常不满意)")


# 1 and 2 are 差评; 3 to 5 count as satisfied.
BAD_LEVELS = (Level.UNSATISFIED, Level.VERY_UNSATISFIED)


def is_bad(level: int) -> bool:
    return int(level) <= Level.UNSATISFIED


class SubjectKind(models.TextChoices):
    """What is rated: a case (一事一评) or a window visit, i.e. a queue ticket (一次一评)."""

    CASE = "case", _("Case")
    VISIT = "visit", _("Window visit")


class Source(models.TextChoices):
    """Who the rating came from and how they were known."""

    SITE = "site", _("In the site")  # the applicant, logged in (the site or the API)
    LINK = "link", _("By the signed link")  # the SMS link or the ticket slip's QR code
    PAD = "pad", _("At the window's rating pad")  # the visitor at the window (评价器)
    HOTLINE = "hotline", _("Phoned in to the hotline")  # recorded by a 12345 operator
    SYSTEM = "system", _("System default")


class Channel(models.TextChoices):
    """The channel a rating came in by (评价渠道), in API.md's channel names (``online``,
    ``window``, ``hotline``, ``api``) plus ``sms`` for the link sent with the result notice.
    A visit's slip link and the window's pad are both ``window`` (on site, 现场评价)."""

    ONLINE = "online", _("Website (logged in)")
    SMS = "sms", _("SMS link")
    WINDOW = "window", _("At the window (pad or ticket slip)")
    HOTLINE = "hotline", _("12345 hotline")
    API = "api", _("App or API")


# Criteria (tags) of a rating: online 一事一评 and on-site 一次一评.
ONLINE_TAGS = {
    "overall": _("Overall satisfaction (整体满意度)"),
    "efficiency": _("Efficiency (办事效率)"),
    "guide_accuracy": _("Accuracy of the guide (办事指南精确度)"),
    "convenience": _("Convenience (办事便捷度)"),
    "usability": _("Ease of use of the platform (平台操作性)"),
}
ONSITE_TAGS = {
    "overall": _("Overall satisfaction (整体满意度)"),
    "service_efficiency": _("Service efficiency (服务效率)"),
    "service_level": _("Service level (服务水平)"),
    "attitude": _("Service attitude (服务态度)"),
}
# The usual 差评 reasons.
BAD_REASONS = {
    "overdue": _("Past the promised time limit (超过承诺时限)"),
    "extra_conditions": _("Conditions beyond the guide (在办事指南之外增加条件)"),
    "bad_attitude": _("Bad attitude (态度不好)"),
    "repeated_visits": _("Had to come several times (多次跑动)"),
    "unclear_guide": _("The guide was unclear (办事指南不清晰)"),
    "system_trouble": _("The system did not work (系统故障)"),
    "other": _("Other (其他)"),
}
ALL_TAGS = {**ONLINE_TAGS, **ONSITE_TAGS, **BAD_REASONS}


class CommentStatus(models.TextChoices):
    NONE = "none", _("No comment")
    PENDING = "pending", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Being rectified")
    APPEALED = "appealed", _("Appealed")
    DONE = "done", _("Rectified")
    SET_ASIDE = "set_aside", _("Rating set aside")


class AppealStatus(models.TextChoices):
    NONE = "none", _("No appeal")
    PENDING = "pending", _("Under review")
    UPHELD = "upheld", _("Rejected: the rating stands")
    OVERTURNED = "overturned", _("Granted: the rating is set aside")


class FixAnswer(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASICALLY = "basically", _("Basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")
