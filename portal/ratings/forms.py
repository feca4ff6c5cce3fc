"""The rating form of the site (好差评): five levels, the online criteria, the 差评 reasons and a
comment. The service validates again (the API's rules); this form only shapes the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.choices import FixAnswer
from evaluations.rating_forms import RatingForm  # noqa: F401 - the site's rating page uses it


class FixAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Are you satisfied with the fix?"),
        choices=FixAnswer.choices,
        widget=forms.RadioSelect,
    )
