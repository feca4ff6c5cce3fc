"""The editors' screens: articles with their attachments and log, moved through review by actions.

Editors (``disclosure.change_article``) write drafts and send them to review; reviewers
(``disclosure.review_article``) publish, send back or withdraw. The actions call the services,
which refuse a reviewer publishing their own text. State and the log are read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from disclosure import services
from disclosure.models import Article, ArticleLog, Attachment, Category, State
from onestop.errors import DomainError


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "position")
    list_filter = ("kind",)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ("display_name", "file_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class LogInline(admin.TabularInline):
    model = ArticleLog
    extra = 0
    can_delete = False
    fields = ("at", "action", "state_before", "state_after", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ArticleForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_("PDF, OFD, JPG or PNG, at most 20 MB; drafts only."),
    )

    class Meta:
        model = Article
        fields = (
            "kind",
            "category",
            "title",
            "summary",
            "body",
            "document_number",
            "issuer",
            "policy",
        )


def _run(modeladmin, request, queryset, service, done: str) -> None:
    moved = 0
    for article in queryset:
        try:
            service(article=article, actor=request.user)
            moved += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{article}: {exc.message}", messages.ERROR)
    if moved:
        modeladmin.message_user(request, f"{done}: {moved}", messages.SUCCESS)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("title", "kind", "category", "state", "created_by", "published_at")
    list_filter = ("state", "kind", "category")
    search_fields = ("title", "document_number")
    readonly_fields = ("state", "created_by", "submitted_at", "published_by", "published_at")
    inlines = [AttachmentInline, LogInline]
    actions = ["submit", "publish", "send_back", "withdraw", "reopen"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "created_by")

    def has_change_permission(self, request, obj=None) -> bool:
        # Published and in-review texts change only through the actions (withdraw, send back).
        if obj is not None and obj.state not in (State.DRAFT,):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        if not change:
            fields = {
                k: v for k, v in form.cleaned_data.items() if k not in ("kind", "title", "upload")
            }
            created = services.article_create(
                actor=request.user, kind=obj.kind, title=obj.title, **fields
            )
            obj.pk, obj._state = created.pk, created._state
        else:
            # through the service: the edit is logged (ArticleLog "edited") and audited
            changes = {k: form.cleaned_data[k] for k in form.changed_data if k in services.EDITABLE}
            try:
                services.article_update(article=obj, actor=request.user, changes=changes)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
                return
        upload = form.cleaned_data.get("upload")
        if upload:
            try:
                services.attachment_add(article=obj, actor=request.user, uploaded_file=upload)
            except DomainError as exc:
                self.message_user(request, f"{upload.name}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Send to review"), permissions=["change"])
    def submit(self, request, queryset: QuerySet) -> None:
        _run(self, request, queryset, services.article_submit, str(_("Sent to review")))

    @admin.action(description=_("Publish"), permissions=["review"])
    def publish(self, request, queryset: QuerySet) -> None:
        _run(self, request, queryset, services.article_publish, str(_("Published")))

    @admin.action(description=_("Send back to the author"), permissions=["review"])
    def send_back(self, request, queryset: QuerySet) -> None:
        _run(self, request, queryset, services.article_return, str(_("Sent back")))

    @admin.action(description=_("Withdraw from the public pages"), permissions=["review"])
    def withdraw(self, request, queryset: QuerySet) -> None:
        _run(self, request, queryset, services.article_withdraw, str(_("Withdrawn")))

    @admin.action(description=_("Reopen as a draft"), permissions=["change"])
    def reopen(self, request, queryset: QuerySet) -> None:
        _run(self, request, queryset, services.article_reopen, str(_("Reopened")))

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("disclosure.review_article")
