"""Catalogue serializers (API.md "Catalogue"): output only; no writes through the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from departments.models import Stage
from permits.models import (
    Audience,
    Category,
    ConsultMode,
    DepartmentRole,
    FieldType,
    FileType,
    ItemStatus,
    OnlineDepth,
    ServiceModel,
    TimeLimitUnit,
)


class ItemFilterSerializer(serializers.Serializer):
    """The list's query parameters. Unknown values are refused (400 ``invalid``) rather than
    silently matching nothing, so a client's typo shows."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Matches names, keywords and their pinyin or pinyin initials (qykb)."),
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    department = serializers.CharField(
        required=False,
        max_length=40,
        help_text=_("Department code: the lead department or any participating one."),
    )
    audience = serializers.ChoiceField(
        choices=Audience.choices,
        required=False,
        help_text=_("person and enterprise also match items for both."),
    )
    region = serializers.CharField(
        required=False, max_length=12, help_text=_("Region (division) code of the item.")
    )
    online_depth = serializers.ChoiceField(choices=OnlineDepth.choices, required=False)
    service_model = serializers.ChoiceField(choices=ServiceModel.choices, required=False)


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ItemSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_name = serializers.CharField()
    audience = serializers.ChoiceField(choices=Audience.choices)
    service_model = serializers.ChoiceField(choices=ServiceModel.choices)
    region = serializers.CharField(source="region.code", help_text=_("Region (division) code."))
    region_name = serializers.CharField(source="region.name")
    lead_department = DepartmentRefSerializer()
    legal_days = serializers.IntegerField(help_text=_("Working days."))
    promised_days = serializers.IntegerField(help_text=_("Working days."))
    online_depth = serializers.ChoiceField(choices=OnlineDepth.choices)


class ItemDepartmentSerializer(serializers.Serializer):
    code = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name")
    role = serializers.ChoiceField(choices=DepartmentRole.choices)
    position = serializers.IntegerField()
    duty = serializers.CharField()
    time_limit_days = serializers.IntegerField()
    time_limit_unit = serializers.ChoiceField(choices=TimeLimitUnit.choices)
    stages = serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices))


class MaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The requirement id to upload against."))
    name = serializers.CharField()
    required = serializers.BooleanField()
    tolerable = serializers.BooleanField(help_text=_("May be missing at acceptance (容缺)."))
    accepted_types = serializers.ListField(child=serializers.ChoiceField(choices=FileType.choices))
    max_size = serializers.IntegerField(help_text=_("Bytes."))
    description = serializers.CharField()
    copies = serializers.CharField()
    source = serializers.CharField()


class FormFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=FieldType.choices)
    required = serializers.BooleanField()
    choices = serializers.ListField(
        child=serializers.JSONField(),
        help_text=_('For choice fields: ["甲", "乙"] or [["value", "label"], …].'),
    )
    help_text = serializers.CharField()


class ItemDetailSerializer(ItemSummarySerializer):
    """The whole guide (办事指南)."""

    status = serializers.ChoiceField(
        choices=[
            (ItemStatus.PUBLISHED, ItemStatus.PUBLISHED.label),
            (ItemStatus.SUSPENDED, ItemStatus.SUSPENDED.label),
        ],
        help_text=_("A suspended item takes no new applications."),
    )
    accepts_applications = serializers.BooleanField()
    version = serializers.IntegerField(
        source="current_version.number",
        allow_null=True,
        help_text=_("The item version new applications are submitted under."),
    )
    keywords = serializers.CharField()
    consult_mode = serializers.ChoiceField(
        choices=[("", ""), *ConsultMode.choices],
        help_text=_("Core-department items: consultations in sequence or all at once."),
    )
    onsite_inspection = serializers.BooleanField()
    window_acceptance = serializers.BooleanField()
    allows_anonymous = serializers.BooleanField()
    max_visits = serializers.IntegerField()
    is_free = serializers.BooleanField()
    fees = serializers.CharField()
    legal_basis = serializers.CharField()
    conditions = serializers.CharField()
    procedure = serializers.CharField()
    result_name = serializers.CharField()
    result_validity_months = serializers.IntegerField(allow_null=True)
    enquiry_phone = serializers.CharField()
    complaint_phone = serializers.CharField()
    service_location = serializers.CharField()
    service_hours = serializers.CharField()
    departments = ItemDepartmentSerializer(many=True, source="departments.all")
    materials = MaterialSerializer(many=True, source="materials.all")
    form_fields = FormFieldSerializer(many=True, source="form_fields.all")
