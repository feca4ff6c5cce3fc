"""The rating form (好差评): five levels, the criteria (online 一事一评 or on-site 一次一评), the
差评 reasons and a comment; the site's rating page, the window's rating pad and the 12345
operator's page use it, each with its own wording. The service validates again (the API's
rules); this form only shapes the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.choices import BAD_REASONS, ONLINE_TAGS, ONSITE_TAGS, Level


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(lv.value, lv.label) for lv in sorted(Level, reverse=True)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    tags = forms.MultipleChoiceField(
        label=_("What went well (整体满意度, 办事效率 …)"),
        choices=list(ONLINE_TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reasons = forms.MultipleChoiceField(
        label=_("If you are not satisfied: why?"),
        choices=list(BAD_REASONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A rating of unsatisfied (不满意) or very unsatisfied (非常不满意) is followed up: "
            "the department calls you back."
        ),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published only after review, without phone or ID numbers. Do not write personal data."
        ),
    )

    def __init__(self, *args, onsite: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if onsite:  # 一次一评: the on-site criteria
            self.fields["tags"].choices = list(ONSITE_TAGS.items())

    def tag_list(self) -> list[str]:
        return [*self.cleaned_data.get("tags", []), *self.cleaned_data.get("reasons", [])]
