"""The ratings app's settings, each with its default (set them in ``onestop/settings/`` or the
environment-backed settings to change them; tests use pytest-django's ``settings`` fixture).

* ``RATING_REMINDER_DAYS`` (3): natural days after the answer before the one reminder to rate.
* ``RATING_DEFAULT_DAYS`` (7): natural days unrated before the system default rating — the
  Guangdong trial rules of 2019 (reported 2019-08-19 by 南方日报: "服务对象接受服务后
  7个自然日内未进行评价的，默认为'基本满意'").
* ``RATING_DEFAULT_LEVEL`` (3, 基本满意): the level of that default rating. The issue asks to
  check the current rule: the only text we could read is the 2019 trial rule quoted above
  (基本满意); the later 粤办函〔2020〕21号 / 粤政数〔2020〕11号 texts were not available to us,
  and the published Guangdong figures (≈99.8 % 非常满意) suggest a higher default now.
  We keep 3 because (a) it is the last rule we could verify, and (b) a default rating is
  excluded from every figure anyway (``Rating.objects.counted()``), so its level only shows in
  the record and the export — a region that applies a different rule sets the level.
* ``RATING_LINK_MAX_AGE_DAYS`` (30): how long the signed SMS link stays valid.
* ``RECTIFICATION_WORKING_DAYS`` (15): the limit of a 差评's rectification; per region in
  ``RECTIFICATION_WORKING_DAYS_BY_REGION`` ({region code: days}).
* ``RATING_SWEEP_SECONDS`` (3600): how often the beat runs the invitations' sweep.
* ``RATING_LINK_BASE_URL`` (""): the site's address put before the link's path in an SMS
  (``https://zwfw.yunfu.gov.cn``); empty in the demo, where the path alone is shown.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "RATING_REMINDER_DAYS": 3,
    "RATING_DEFAULT_DAYS": 7,
    "RATING_DEFAULT_LEVEL": 3,
    "RATING_LINK_MAX_AGE_DAYS": 30,
    "RECTIFICATION_WORKING_DAYS": 15,
    "RECTIFICATION_WORKING_DAYS_BY_REGION": {},
    "RATING_SWEEP_SECONDS": 3600,
    "RATING_LINK_BASE_URL": "",
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def rectification_days(region_code: str | None) -> int:
    by_region = get("RECTIFICATION_WORKING_DAYS_BY_REGION") or {}
    return int(by_region.get(region_code or "", get("RECTIFICATION_WORKING_DAYS")))
