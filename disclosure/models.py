"""政务公开: what the government publishes on the portal (docs/disclosure.md).

An ``Article`` is one notice (通知公告), policy (政策文件), policy interpretation (政策解读, linked
to its policy) or service-guide change (办事指南变更, written when an item version is published).
Editors write drafts; a draft goes to review; a reviewer other than its author publishes it
(or sends it back). Every move is an ``ArticleLog`` row (who, when, from which state to which)
and an audit record. Only published articles are public: ``ArticleQuerySet.public()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    POLICY = "policy", _("Policy document")
    INTERPRETATION = "interpretation", _("Policy interpretation")
    GUIDE_CHANGE = "guide_change", _("Service guide change")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The moves an article may make (services check them; the log records them).
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.IN_REVIEW}),
    State.IN_REVIEW: frozenset({State.PUBLISHED, State.DRAFT}),
    State.PUBLISHED: frozenset({State.WITHDRAWN}),
    State.WITHDRAWN: frozenset({State.DRAFT}),
}


class Category(models.Model):
    """A column of the disclosure section (e.g. 工作动态, 规范性文件), within one kind."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "pk"]
        verbose_name = _("disclosure category")
        verbose_name_plural = _("disclosure categories")

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def public(self) -> ArticleQuerySet:
        return self.filter(state=State.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    # Policies: 发文字号 and the issuing body; interpretations point at their policy.
    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=120, blank=True)
    policy = models.ForeignKey(
        "self",
        verbose_name=_("interpreted policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interpretations",
        limit_choices_to={"kind": Kind.POLICY},
    )
    # Guide changes: the item and the version whose publication wrote the article.
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_version = models.OneToOneField(
        "permits.ItemVersion",
        verbose_name=_("item version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("disclosure article")
        verbose_name_plural = _("disclosure articles")
        indexes = [
            models.Index(
                fields=["kind", "-published_at"],
                name="disclosure_public",
                condition=Q(state="published"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(policy__isnull=True) | Q(kind="interpretation"),
                name="disclosure_policy_only_for_interpretations",
            ),
        ]
        permissions = [
            ("review_article", _("Can review and publish disclosure articles")),
        ]

    def __str__(self) -> str:
        return self.title

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS.get(self.state, frozenset())


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    from permits.uploads import generated_name

    today = timezone.localdate()
    return f"disclosure/{today:%Y}/{today:%m}/{generated_name(instance.file_type)}"


class Attachment(models.Model):
    """A file published with an article, checked like an applicant's material (permits.uploads)
    and stored through the storage API under a generated name."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=300)
    display_name = models.CharField(_("name"), max_length=255)
    file_type = models.CharField(_("type"), max_length=8)
    content_type = models.CharField(_("sniffed type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["article", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.display_name


class ArticleLog(models.Model):
    """One move of an article: who did what, from which state to which."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="log"
    )
    action = models.CharField(_("action"), max_length=20)
    state_before = models.CharField(_("state before"), max_length=12, blank=True)
    state_after = models.CharField(_("state after"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["article", "at", "pk"]
        verbose_name = _("article log entry")
        verbose_name_plural = _("article log")

    def __str__(self) -> str:
        return f"{self.article_id} {self.action}"


# --- 办件公示's monthly figures (disclosure.month_figures; docs/disclosure.md) ----------------
#
# Rebuilt freely and never holding a lock on the rows they describe (as the statistics' read
# models): plain ids, or a reference without a database constraint. Nothing personal: a case
# is only its department, month, result and whether it was on time.


class PublishedDecision(models.Model):
    """One published decision's contribution to the monthly figures: a decided case
    (approved or denied, not anonymous, not process-centred) as it stands now. Kept so that a
    case fed again adds the change of its contribution (new − old), not itself twice."""

    application_id = models.BigIntegerField(_("application"), primary_key=True)
    month = models.DateField(_("month of the decision"))  # its first day, Beijing time
    department_id = models.BigIntegerField(_("lead department"))
    approved = models.BooleanField(_("approved"))
    on_time = models.BooleanField(_("decided by the promised due"))

    class Meta:
        verbose_name = _("published decision")
        verbose_name_plural = _("published decisions")

    def __str__(self) -> str:
        return f"{self.application_id} {self.month:%Y-%m}"


class DepartmentMonthFigure(models.Model):
    """Per lead department and month of decision: the published decisions summed (what the
    办件公示 page and the ``department-monthly`` open data show)."""

    month = models.DateField(_("month"))  # its first day
    # a reference without a constraint or an index of its own (the key's index serves): the
    # page joins the department's current code, name and region, and no write here ever
    # locks the department's row
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("lead department"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    completed = models.IntegerField(_("completed"), default=0)
    approved = models.IntegerField(_("approved"), default=0)
    denied = models.IntegerField(_("denied"), default=0)
    on_time = models.IntegerField(_("on time"), default=0)

    class Meta:
        verbose_name = _("department's month")
        verbose_name_plural = _("departments' months")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_id"], name="disclosure_month_figure_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}: {self.completed}"
