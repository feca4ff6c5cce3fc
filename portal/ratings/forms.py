"""The site's answer to a fixed 差评 (满意 / 基本满意 / 不满意 with the fix). The rating form itself
is ``evaluations.rating_forms.RatingForm``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.choices import FixAnswer


class FixAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Are you satisfied with the fix?"),
        choices=FixAnswer.choices,
        widget=forms.RadioSelect,
    )
