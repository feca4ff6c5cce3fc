"""The catalogue (实施清单): service items, how departments take part, what applicants provide,
and the immutable versions that applications point at."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from permits.choices import (  # noqa: F401 - the catalogue's choices, named here as before
    Audience,
    Category,
    ConsultMode,
    DepartmentRole,
    ExtensionRule,
    FieldType,
    FileType,
    ItemStatus,
    OnlineDepth,
    ServiceModel,
    TimeLimitUnit,
    TimeoutPolicy,
)
from permits.itemrules import accepted_types_problem, stages_problem, validate_item_fields
from permits.search import build_search_text
from permits.validators import field_name_validator, item_code_validator  # noqa: F401

# Allowed lifecycle moves (``ServiceItem.can_move_to``); the services refuse anything else.
ITEM_TRANSITIONS: dict[str, set[str]] = {
    ItemStatus.DRAFT: {ItemStatus.PUBLISHED},
    ItemStatus.PUBLISHED: {ItemStatus.PUBLISHED, ItemStatus.SUSPENDED, ItemStatus.RETIRED},
    ItemStatus.SUSPENDED: {ItemStatus.PUBLISHED, ItemStatus.RETIRED},
    ItemStatus.RETIRED: set(),
}


class ServiceItemQuerySet(models.QuerySet):
    def visible(self) -> ServiceItemQuerySet:
        """What the portal lists: published and suspended items (suspended ones say so)."""
        return self.filter(status__in=[ItemStatus.PUBLISHED, ItemStatus.SUSPENDED])

    def accepting(self) -> ServiceItemQuerySet:
        return self.filter(status=ItemStatus.PUBLISHED)


class ServiceItem(models.Model):
    """One row of a region's implementation catalogue (实施清单)."""

    code = models.CharField(
        _("item code"), max_length=40, unique=True, validators=[item_code_validator]
    )
    name = models.CharField(_("name"), max_length=120)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    # Lower-case name, keywords, full pinyin and pinyin initials: what search matches.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    service_model = models.CharField(
        _("service model"), max_length=20, choices=ServiceModel.choices
    )
    region = models.ForeignKey(
        "departments.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("implementing department"),
        on_delete=models.PROTECT,
        related_name="led_items",
    )
    legal_days = models.PositiveIntegerField(
        _("legal time limit (working days)"), validators=[MinValueValidator(1)]
    )
    promised_days = models.PositiveIntegerField(
        _("promised time limit (working days)"), validators=[MinValueValidator(1)]
    )
    online_depth = models.CharField(_("online depth"), max_length=20, choices=OnlineDepth.choices)
    onsite_inspection = models.BooleanField(_("on-site inspection required"), default=False)
    window_acceptance = models.BooleanField(_("window acceptance allowed"), default=True)
    allows_anonymous = models.BooleanField(_("anonymous applications allowed"), default=False)
    deemed_approval_allowed = models.BooleanField(
        _("deemed approval allowed by the item's rules"), default=False
    )
    is_free = models.BooleanField(_("free of charge"), default=True)
    fees = models.TextField(_("fees"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    procedure = models.TextField(_("procedure"), blank=True)
    result_name = models.CharField(_("result (certificate name)"), max_length=120, blank=True)
    result_validity_months = models.PositiveIntegerField(
        _("result valid for (months)"), null=True, blank=True
    )
    max_visits = models.PositiveSmallIntegerField(_("maximum visits"), default=0)
    consult_mode = models.CharField(
        _("consult mode"), max_length=12, choices=ConsultMode.choices, blank=True
    )
    extension_rule = models.CharField(
        _("extension rule (第四十二条)"),
        max_length=8,
        choices=ExtensionRule.choices,
        blank=True,
        help_text=_("Blank: by the service model (joint when other departments take part)."),
    )
    enquiry_phone = models.CharField(_("enquiry phone"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)
    service_location = models.CharField(_("service location"), max_length=200, blank=True)
    service_hours = models.CharField(_("service hours"), max_length=200, blank=True)
    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ItemStatus.choices,
        default=ItemStatus.DRAFT,
        db_index=True,
    )
    current_version = models.ForeignKey(
        "permits.ItemVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        ordering = ["-popularity", "code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        indexes = [
            models.Index(fields=["status", "category"]),
            models.Index(fields=["status", "region"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        # search_text is derived: keep it in step with name, keywords and code on every save.
        self.search_text = build_search_text(name=self.name, keywords=self.keywords, code=self.code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "keywords", "code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The rules about the item's own fields (``permits.itemrules.validate_item_fields``);
        the rules across its departments, materials and form fields run where those are edited
        together (admin, publishing, import)."""

        if self.code:
            self.code = self.code.strip().upper()
        entry = {
            f.name: getattr(self, f.attname) for f in self._meta.concrete_fields if f.name != "id"
        }
        # Single-field rules (choices, required, code format) are the fields' own validators;
        # here only the rules that relate two fields.
        cross_field = {"promised_days", "consult_mode"}
        complete = all(isinstance(entry[f], int) for f in ("legal_days", "promised_days"))
        errors: dict[str, list[str]] = {}
        for problem in validate_item_fields(entry):
            if problem.field in cross_field and (problem.field != "promised_days" or complete):
                errors.setdefault(problem.field, []).append(problem.message)
        if errors:
            raise ValidationError(errors)

    @property
    def category_name(self) -> str:
        from permits.choices import category_name

        return category_name(self.category)

    @property
    def accepts_applications(self) -> bool:
        return self.status == ItemStatus.PUBLISHED

    def can_move_to(self, status: str) -> bool:
        """Whether the lifecycle allows going from the current status to ``status``."""
        return status in ITEM_TRANSITIONS.get(self.status, set())


STAGE_SETS = {
    "one": ["undertake"],
    "three": ["undertake", "check", "sign"],
}


class ItemDepartment(models.Model):
    """How one department takes part in an item."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="departments",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="item_roles",
    )
    role = models.CharField(_("role in the item"), max_length=10, choices=DepartmentRole.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    duty = models.CharField(_("what it reviews"), max_length=200, blank=True)
    time_limit_days = models.PositiveIntegerField(
        _("time limit"), validators=[MinValueValidator(1)]
    )
    time_limit_unit = models.CharField(
        _("time limit unit"),
        max_length=14,
        choices=TimeLimitUnit.choices,
        default=TimeLimitUnit.WORKING_DAY,
    )
    stages = models.JSONField(_("stages"), default=list)
    timeout_policy = models.CharField(
        _("timeout policy"),
        max_length=16,
        choices=TimeoutPolicy.choices,
        default=TimeoutPolicy.ESCALATE,
    )

    class Meta:
        ordering = ["item", "position", "pk"]
        verbose_name = _("item department")
        verbose_name_plural = _("item departments")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "department", "role"], name="itemdepartment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_role_display()})"

    def clean(self) -> None:

        if message := stages_problem(self.stages):
            raise ValidationError({"stages": message})


GENERATED_ONLINE_MARK = "在线生成"


def material_generated_online(copies: str | None) -> bool:
    """Whether the catalogue says the document is generated online from the application form
    (its 原件/复印件 column reads e.g. "电子件1份（在线生成）"): nobody uploads it."""
    return GENERATED_ONLINE_MARK in (copies or "")


class MaterialRequirement(models.Model):
    """A document an applicant provides for an item."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    tolerable = models.BooleanField(_("tolerable (may be missing at acceptance)"), default=False)
    accepted_types = models.JSONField(_("accepted file types"), default=list)
    max_size = models.PositiveIntegerField(_("maximum size (bytes)"), default=10 * 1024 * 1024)
    copies = models.CharField(_("original / copies"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    sample = models.FileField(_("sample"), upload_to="samples/", blank=True)
    departments = models.ManyToManyField(
        "departments.Department", verbose_name=_("departments that need it"), blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["item", "position", "pk"]
        verbose_name = _("material requirement")
        verbose_name_plural = _("material requirements")
        # Import matches materials by name so that their ids (which applications point at)
        # survive re-imports; two materials of one item with the same name would be ambiguous.
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="materialrequirement_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_key(self) -> bool:
        return self.required and not self.tolerable

    def clean(self) -> None:

        errors = {}
        if message := accepted_types_problem(self.accepted_types):
            errors["accepted_types"] = message
        if self.tolerable and not self.required:
            errors["tolerable"] = _("Only a required material can be tolerated as missing.")
        if errors:
            raise ValidationError(errors)


class FormField(models.Model):
    """A field of the application form, configured by administrators, validated on the server."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="form_fields",
    )
    name = models.CharField(_("field name"), max_length=40, validators=[field_name_validator])
    label = models.CharField(_("label"), max_length=120)
    type = models.CharField(_("type"), max_length=12, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # Optional rules: {"min_length", "max_length", "min", "max", "pattern"}.
    validation = models.JSONField(_("validation rules"), default=dict, blank=True)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["item", "position", "pk"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="formfield_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.name})"

    def clean(self) -> None:
        if self.type in (FieldType.CHOICE, FieldType.MULTICHOICE) and not self.choices:
            raise ValidationError({"choices": _("A choice field needs at least one choice.")})


class ItemVersionQuerySet(models.QuerySet):
    """Bulk writes would bypass ``ItemVersion.save``/``delete``: refuse them too."""

    def update(self, **kwargs):
        raise ValidationError(_("An item version is immutable."))

    def delete(self):
        raise ValidationError(_("An item version is immutable."))


class ItemVersion(models.Model):
    """The item's configuration frozen at publication. Never changed, never deleted: the
    applications submitted under it point here."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version number"))
    snapshot = models.JSONField(_("configuration"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ItemVersionQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("An item version is immutable."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An item version is immutable."))
