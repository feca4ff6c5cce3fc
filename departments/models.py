"""Regions, departments, staff roles, service centres and their windows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")


class Region(models.Model):
    """An administrative division (GB/T 2260 code): the city, a county, a town."""

    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{6}(\d{3})?$", _("A division code has 6 or 9 digits."))],
    )
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> list[int]:
        """This region and every region below it (three levels at most)."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


class DepartmentKind(models.TextChoices):
    PERMITTING = "permitting", _("Permitting department")
    SERVICE_CENTRE = "service_centre", _("Service centre")
    COORDINATING = "coordinating", _("Coordinating office")


class Department(models.Model):
    """A government department (部门) of one region."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9_-]*$",
                _("Use lower-case letters, digits, '-' and '_' only."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.PERMITTING
    )
    phone = models.CharField(_("enquiry phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__position", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [
            ("work_department", _("Can work on the department's tasks")),
            ("supervise_department", _("Can supervise the department's cases")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    CLERK = "clerk", _("Window clerk")
    REVIEWER = "reviewer", _("Reviewer")
    HEAD = "head", _("Department head")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Catalogue administrator")


class Stage(models.TextChoices):
    UNDERTAKE = "undertake", _("Undertake")
    CHECK = "check", _("Check")
    SIGN = "sign", _("Sign")


class StaffRole(models.Model):
    """One role of one user in one department. Granted and revoked only by
    ``departments.services``, which keeps the matching guardian permissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    # A supervisor watches a region (the city, or one county); others use the department's.
    region = models.ForeignKey(
        Region,
        verbose_name=_("supervised region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role", "stage"], name="staffrole_unique"
            ),
            models.CheckConstraint(
                condition=Q(role="reviewer") & ~Q(stage="") | ~Q(role="reviewer") & Q(stage=""),
                name="staffrole_stage_only_for_reviewers",
            ),
            models.CheckConstraint(
                condition=Q(role="supervisor", region__isnull=False)
                | ~Q(role="supervisor") & Q(region__isnull=True),
                name="staffrole_region_only_for_supervisors",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        label = self.get_role_display()
        if self.stage:
            label = f"{label}·{self.get_stage_display()}"
        return f"{self.department} {label}"


class ServiceCentre(models.Model):
    """The administrative service centre of a region (行政服务中心)."""

    name = models.CharField(_("name"), max_length=100)
    region = models.OneToOneField(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="service_centre"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("managing department"),
        on_delete=models.PROTECT,
        related_name="service_centres",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The centre's code in addresses and the API: its region's code (one centre per
        region)."""
        return self.region.code


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive window")  # 综合窗口, every item
    DEPARTMENT = "department", _("Department window")
    ASSISTED = "assisted", _("Assisted-service window")  # 帮办代办


class WindowStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("window status", "Open")
    PAUSED = "paused", pgettext_lazy("window status", "Paused")
    CLOSED = "closed", pgettext_lazy("window status", "Closed")


class Window(models.Model):
    """A window of a service centre: its kind, status, the item categories it accepts (a
    comprehensive window accepts every category) and the clerk on duty. The items a window may
    accept, narrower than its categories, are the ``centres`` app's (``centres.WindowItem``)."""

    centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("service centre"),
        on_delete=models.CASCADE,
        related_name="windows",
    )
    number = models.CharField(_("window number"), max_length=10)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=16, choices=WindowKind.choices, default=WindowKind.DEPARTMENT
    )
    categories = models.JSONField(_("accepted categories"), default=list, blank=True)
    clerk_on_duty = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clerk on duty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=WindowStatus.choices, default=WindowStatus.OPEN
    )

    class Meta:
        ordering = ["centre", "number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_unique")]

    def __str__(self) -> str:
        return f"{self.centre} {self.number} {self.name}"

    @property
    def comprehensive(self) -> bool:
        return self.kind == WindowKind.COMPREHENSIVE

    @property
    def is_open(self) -> bool:
        return self.status == WindowStatus.OPEN
