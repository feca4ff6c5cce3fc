"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS in settings).

Django's ``CommonPasswordValidator`` already refuses 20,000 common passwords offline. These add
what a government portal in China sees attacked: the published demo password, and passwords
made of a common word plus digits — the pinyin of a name or of "test" (``wangceshi1``,
``zhang123456``), ``admin@123``, ``Password1`` — in every case and with a symbol or two.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Common surnames (pinyin), and words such passwords are built from.
_WORD_TEXT = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin "
    "luo zheng liang xie song tang han feng deng cao peng zeng xiao tian dong yuan "
    "pan cai jiang yu du ye cheng wei su lv ding ren shen yao lu jin zhong cui tan "
    "fan fu qian ceshi test admin root user guest demo password passw0rd pass mima "
    "woaini iloveyou qwerty asdf zxcv abc abcd yunfu yunfushi gov zhengwu china "
    "beijing guangdong "
)
_WORDS = _WORD_TEXT.split()
_WORD = "|".join(sorted(set(_WORDS), key=len, reverse=True))
# One to three such words, then only digits and symbols (or only digits, then the words).
WEAK_PATTERN = re.compile(
    rf"^(?:(?:{_WORD}){{1,3}}[\d\W_]*|[\d\W_]*(?:{_WORD}){{1,3}})$", re.IGNORECASE
)


class DemoPasswordValidator:
    """Refuses ``settings.DEMO_PASSWORD`` (printed in the README) where ``PRODUCTION`` is on."""

    def validate(self, password: str, user=None) -> None:
        if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
            raise ValidationError(
                _("This password is published with the demo; choose another."),
                code="password_demo",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the demo password.")


class WeakPatternValidator:
    """Refuses a common word or surname followed or preceded only by digits and symbols
    (``wangceshi1``, ``admin@123``, ``123456zhang``) where ``PRODUCTION`` is on."""

    def validate(self, password: str, user=None) -> None:
        if settings.PRODUCTION and WEAK_PATTERN.match(password or ""):
            raise ValidationError(
                _("This password is a common word with digits; it is guessed first."),
                code="password_weak_pattern",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a common word or name with digits.")
