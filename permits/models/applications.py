"""Applications (办件) and what hangs off them: per-department participation rows, materials,
the append-only event log, supplement notices (补正, 一次性告知) and certificates (电子证照).

Cases are moved only by ``workflow.services``; these models keep the invariants about their own
fields (allowed status transitions, append-only events, never-reused numbers).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits.choices import RequestKind, Urgency


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SUPPLEMENT = "supplement", _("Supplement needed")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TERMINATED = "terminated", _("Terminated")


S = ApplicationStatus
# API.md "Case states": the only moves a case may make.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.SUPPLEMENT, S.IN_REVIEW, S.NOT_ACCEPTED, S.ANSWERED, S.WITHDRAWN}),
    S.SUPPLEMENT: frozenset({S.SUBMITTED, S.IN_REVIEW, S.WITHDRAWN, S.TERMINATED}),
    S.IN_REVIEW: frozenset(
        {S.SUPPLEMENT, S.APPROVED, S.DENIED, S.ANSWERED, S.WITHDRAWN, S.TERMINATED}
    ),
    S.APPROVED: frozenset({S.CLOSED}),
    S.DENIED: frozenset({S.CLOSED}),
    S.ANSWERED: frozenset({S.CLOSED, S.IN_REVIEW}),
    S.NOT_ACCEPTED: frozenset(),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.TERMINATED: frozenset(),
}
# States in which the applicant may still change the form and the materials.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.SUPPLEMENT})
# States that are over: nothing moves any more.
FINAL_STATUSES = frozenset({S.NOT_ACCEPTED, S.CLOSED, S.WITHDRAWN, S.TERMINATED})


class InvalidTransition(Exception):
    """A status change the case-state table does not allow."""

    def __init__(self, current: str, target: str) -> None:
        self.current = current
        self.target = target
        super().__init__(f"{current} → {target}")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a window")
    HOTLINE = "hotline", _("Hotline")
    API = "api", _("API")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class ApplicationCounter(models.Model):
    """The last sequence number handed out on a day. Locked row by row, so numbers stay unique
    under concurrent creation and are never reused (the row only ever counts up)."""

    day = models.DateField(_("day"), unique=True)
    last = models.PositiveIntegerField(_("last sequence"), default=0)

    class Meta:
        verbose_name = _("application counter")
        verbose_name_plural = _("application counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"

    @classmethod
    def next_number(cls, *, day: date | None = None) -> str:
        """``YF`` + YYYYMMDD + a six-digit sequence. Must run inside the caller's transaction:
        the counter row stays locked until it commits, so two creators never share a number,
        and a rolled-back creation leaves a gap rather than a reused number."""
        day = day or timezone.localdate()
        with transaction.atomic():
            counter, _created = cls.objects.select_for_update().get_or_create(day=day)
            counter.last += 1
            counter.save(update_fields=["last"])
        return f"YF{day:%Y%m%d}{counter.last:06d}"


class ApplicationQuerySet(models.QuerySet):
    def for_number(self, number: str) -> ApplicationQuerySet:
        return self.filter(number=(number or "").strip().upper())


class Application(models.Model):
    """One case (办件)."""

    number = models.CharField(_("application number"), max_length=20, unique=True, editable=False)
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    item_version = models.ForeignKey(
        "permits.ItemVersion",
        verbose_name=_("item version"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_person = models.ForeignKey(
        "permits.Person",
        verbose_name=_("applicant (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_enterprise = models.ForeignKey(
        "permits.Enterprise",
        verbose_name=_("applicant (enterprise)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The person who acted: the applicant themself, or the enterprise's handler (经办人).
    handler = models.ForeignKey(
        "permits.Person",
        verbose_name=_("acting handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_applications",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The service centre where a walk-in case was entered, accepted or handed over.
    centre = models.ForeignKey(
        "departments.ServiceCentre",
        verbose_name=_("service centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=14, choices=ApplicationStatus.choices, default=S.DRAFT
    )
    # Where a supplement returns the case to (submitted or in_review).
    resume_status = models.CharField(
        _("status to return to after the supplement"),
        max_length=14,
        choices=ApplicationStatus.choices,
        blank=True,
    )
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    # Denormalised from the item for filtering lists on indexed columns.
    region = models.ForeignKey(
        "departments.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="led_applications",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Clocks: the promised due (承诺) and the legal due (法定); paused while in supplement.
    due_at = models.DateTimeField(_("promised due"), null=True, blank=True)
    legal_due_at = models.DateTimeField(_("legal due"), null=True, blank=True)
    paused = models.BooleanField(_("clocks paused"), default=False)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    # Deadline sweep of the case clock (workflow.deadlines): when the promised due turns yellow,
    # and the warning reached (none / yellow / red).
    yellow_at = models.DateTimeField(_("yellow from"), null=True, blank=True)
    warning = models.CharField(_("warning"), max_length=8, default="none")
    # 容缺受理: requirement ids accepted as missing, and the date they must arrive by.
    tolerated = models.JSONField(_("tolerated requirements"), default=list, blank=True)
    tolerance_deadline = models.DateField(_("tolerance deadline"), null=True, blank=True)
    # The result.
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_opinion = models.TextField(_("decision reasons"), blank=True)
    not_accepted_reasons = models.TextField(_("reasons for not accepting"), blank=True)
    competent_agency = models.CharField(_("competent agency"), max_length=200, blank=True)
    handover = models.JSONField(_("hand-over"), default=dict, blank=True)
    # Hotline records: {"phone", "called_at", "urgency"}; the phone SM4-sealed (onestop.pii), and
    # matched for repeated calls through its HMAC-SM3 lookup hash beside it.
    caller = models.JSONField(_("caller"), default=dict, blank=True)
    caller_phone_hash = models.CharField(
        _("caller phone lookup hash"), max_length=64, blank=True, db_index=True, editable=False
    )
    # Anonymous cases are followed with a query code shown once; only its hash is kept.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    query_code_hash = models.CharField(_("query code hash"), max_length=128, blank=True)
    # Process-centred cases: what is asked (咨询/求助/建议/投诉/举报/信访) and how urgent; with the
    # item's configuration they pick the limit (workflow.deadlines.requestlimits).
    request_kind = models.CharField(
        _("request kind"), max_length=12, choices=RequestKind.choices, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Process-centred cases (workflow.flows.process_centred): the one consolidated answer the
    # coordinating office sent, when, and when a 差评 reopened the case (once).
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["applicant_person", "status"], name="app_person_status"),
            models.Index(fields=["applicant_enterprise", "status"], name="app_ent_status"),
            models.Index(fields=["created_by", "status"], name="app_creator_status"),
            models.Index(fields=["region", "status"], name="app_region_status"),
            models.Index(fields=["lead_department", "status"], name="app_lead_status"),
            models.Index(fields=["centre", "status"], name="app_centre_status"),
            models.Index(fields=["item", "status"], name="app_item_status"),
            models.Index(fields=["status", "due_at"], name="app_status_due"),
            # The lists' order and their keyset paging (onestop.keyset): newest first, unique.
            models.Index(fields=["-created_at", "-id"], name="app_created_keyset"),
            # 办件公示 and open data (disclosure.publication): the latest decided cases and the
            # months' figures read a range of decision times, not the whole table (issue 13's
            # benchmark, docs/statistics.md "Cost and scale")
            models.Index(
                fields=["-decided_at", "-id"],
                name="app_published",
                condition=Q(decision__in=["approved", "denied"], decided_at__isnull=False),
                include=["lead_department_id", "item_id", "due_at", "anonymous", "decision"],
            ),
            models.Index(
                fields=["yellow_at"],
                name="app_sweep_yellow",
                condition=Q(status="in_review", warning="none", paused=False),
            ),
            models.Index(
                fields=["due_at"],
                name="app_sweep_red",
                condition=Q(status="in_review", paused=False) & ~Q(warning="red"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__startswith="YF"), name="application_number_prefix"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def can_transition_to(self, target: str) -> bool:
        return target in APPLICATION_TRANSITIONS.get(self.status, frozenset())

    def transition_to(self, target: str) -> str:
        """Set the new status if the case-state table allows it; return the old one. The caller
        saves (services record the Event with before/after)."""
        if not self.can_transition_to(target):
            raise InvalidTransition(self.status, target)
        before, self.status = self.status, target
        return before

    @property
    def applicant_name(self) -> str:
        if self.applicant_enterprise_id:
            return self.applicant_enterprise.name
        if self.applicant_person_id:
            return self.applicant_person.real_name
        return ""


class ParticipationRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARALLEL = "parallel", _("Parallel review")
    CONSULT = "consult", _("Consultation")
    DISPATCHED = "dispatched", _("Dispatched")


class ParticipationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_REVIEW = "in_review", _("In review")
    SUPPLEMENT = "supplement", _("Supplement requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    DEEMED_APPROVED = "deemed_approved", _("Deemed approved")
    REPLIED = "replied", _("Replied")
    RETURNED = "returned", _("Returned")


ANSWERED_PARTICIPATION = frozenset(
    {
        ParticipationStatus.APPROVED,
        ParticipationStatus.DENIED,
        ParticipationStatus.DEEMED_APPROVED,
        ParticipationStatus.REPLIED,
        ParticipationStatus.RETURNED,
    }
)


class ApplicationDepartment(models.Model):
    """One participation of one department in a case: the indexed row that case lists, inboxes
    and the progress view read. A department consulted twice has two rows (``round``)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("role"), max_length=12, choices=ParticipationRole.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    # The configured stages (undertake → check → sign) and the one reached now.
    stages = models.JSONField(_("stages"), default=list)
    stage = models.CharField(_("current stage"), max_length=12, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ParticipationStatus.choices,
        default=ParticipationStatus.WAITING,
    )
    duty = models.CharField(_("what it reviews"), max_length=200, blank=True)
    time_limit_days = models.PositiveIntegerField(_("time limit"), null=True, blank=True)
    time_limit_unit = models.CharField(_("time limit unit"), max_length=14, blank=True)
    timeout_policy = models.CharField(_("timeout policy"), max_length=16, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    # A dispatched department (process-centred): what the office asked of it, whether it may
    # send the case back (退回), and its result in a joint annual inspection ("passed"/"failed").
    instructions = models.TextField(_("instructions"), blank=True)
    may_return = models.BooleanField(_("may return the case"), default=True)
    outcome = models.CharField(_("outcome"), max_length=10, blank=True)

    class Meta:
        ordering = ["application", "round", "position", "pk"]
        verbose_name = _("case department")
        verbose_name_plural = _("case departments")
        indexes = [
            models.Index(fields=["department", "status"], name="appdept_dept_status"),
            # A department's cases in id order, index-only: the capped count of its case list
            # (workflow.selectors.application_count_for_user) merges it with the cases' keys.
            models.Index(fields=["department", "application"], name="appdept_dept_app"),
            models.Index(fields=["application", "role"], name="appdept_app_role"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "department", "role", "round"],
                name="appdept_unique_participation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.department_id} ({self.role})"

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_PARTICIPATION


class MaterialStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Needs correction")


def material_upload_to(instance: Material, filename: str) -> str:
    # ``filename`` is already the safe stored name chosen by the upload checks.
    return f"materials/{instance.application.number}/{filename}"


class MaterialQuerySet(models.QuerySet):
    def current(self) -> MaterialQuerySet:
        return self.filter(deleted=False, superseded=False)


class Material(models.Model):
    """An uploaded document of a case. Never hard-deleted once the case was submitted: removal
    and replacement are flags, so the audit trail keeps what was seen."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="materials",
    )
    # The MaterialRequirement id recorded in the item version's snapshot.
    requirement_id = models.PositiveBigIntegerField(_("requirement"), null=True, blank=True)
    requirement_name = models.CharField(_("requirement name"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=material_upload_to, max_length=300)
    original_name = models.CharField(_("original name"), max_length=255)
    stored_name = models.CharField(_("stored name"), max_length=255)
    content_type = models.CharField(_("sniffed type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(
        _("review status"),
        max_length=10,
        choices=MaterialStatus.choices,
        default=MaterialStatus.UPLOADED,
    )
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    superseded = models.BooleanField(_("superseded"), default=False)
    deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # A clerk saw the original at a window (trust level B in the once-only library, DESIGN §7).
    original_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("original checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index below (most materials are never checked)
    )
    original_checked_at = models.DateTimeField(_("original checked at"), null=True, blank=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        ordering = ["application", "requirement_id", "uploaded_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        # A case's materials (current or all) by the application's own foreign-key index:
        # a handful of rows a case, so a partial (application, requirement) index for the
        # current ones was 2.5 times its size for the same reads (docs/load-dataset.md).
        indexes = [
            models.Index(
                fields=["original_checked_by"],
                name="material_checked_by",
                condition=Q(original_checked_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def original_checked(self) -> bool:
        return self.original_checked_at is not None


def new_verification_code() -> str:
    # Unambiguous upper-case letters and digits: read from paper and typed into a kiosk.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))
