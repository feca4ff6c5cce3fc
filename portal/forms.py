from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from permits.models import Audience, Category, OnlineDepth, ServiceModel
from portal import selectors

ANY = ("", _("Any"))


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters. Plain GET parameters, so every filtered view has a URL that can
    be bookmarked and shared, and the form works without JavaScript. An unknown value is
    dropped rather than answered with an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    audience = forms.ChoiceField(label=_("For"), required=False)
    online_depth = forms.ChoiceField(label=_("Online depth"), required=False)
    service_model = forms.ChoiceField(label=_("Service model"), required=False)

    FILTERS = ("category", "department", "region", "audience", "online_depth", "service_model")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = list(selectors.region_choices())
        self.departments = list(selectors.department_choices())
        self.fields["category"].choices = [ANY, *Category.choices]
        self.fields["region"].choices = [ANY, *((r.code, r.name) for r in self.regions)]
        self.fields["department"].choices = [ANY, *self._department_groups()]
        self.fields["audience"].choices = [
            ANY,
            (Audience.PERSON.value, _("Individuals")),
            (Audience.ENTERPRISE.value, _("Enterprises and organisations")),
        ]
        self.fields["online_depth"].choices = [ANY, *OnlineDepth.choices]
        self.fields["service_model"].choices = [ANY, *ServiceModel.choices]

    def _department_groups(self) -> list:
        groups: dict[str, list] = {}
        for department in self.departments:
            groups.setdefault(department.region.name, []).append((department.code, department.name))
        return list(groups.items())

    def filters(self) -> dict[str, str]:
        """The valid filters given, for ``permits.selectors.item_search``."""
        if hasattr(self, "_filters"):
            return self._filters
        values: dict[str, str] = {}
        for name in ("q", *self.FILTERS) if self.is_bound else ():
            try:
                value = self.fields[name].clean(self.data.get(name, ""))
            except forms.ValidationError:
                continue
            if value and value.strip():
                values[name] = value.strip()
        self._filters = values
        return values

    def selects(self) -> list[dict]:
        """The filter drop-downs with their options and which one is selected (for templates)."""
        chosen = self.filters()
        out = []
        for name in self.FILTERS:
            field = self.fields[name]
            options = []
            for value, label in field.choices:
                if isinstance(label, list | tuple):
                    options.append(
                        {
                            "group": value,
                            "options": [
                                {"value": v, "label": lbl, "selected": chosen.get(name) == v}
                                for v, lbl in label
                            ],
                        }
                    )
                else:
                    options.append(
                        {"value": value, "label": label, "selected": chosen.get(name) == value}
                    )
            out.append({"name": name, "label": field.label, "options": options})
        return out

    def active_filter_count(self) -> int:
        return sum(1 for name in self.FILTERS if self.filters().get(name))
