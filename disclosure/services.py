"""Writes of the disclosure section: drafts, review, publication, attachments.

Every move is checked against ``models.TRANSITIONS``, logged as an ``ArticleLog`` row and an audit
record, in one transaction. The review rule: the author sends a draft to review; a reviewer who
is not the author publishes it or sends it back; a published article can be withdrawn (it leaves
the public pages) and edited again as a draft.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.records import record as audit_record
from disclosure import permissions
from disclosure.models import Article, ArticleLog, Attachment, Kind, State
from onestop.errors import Conflict, Invalid, NotAllowed
from permits.public_pages_version import public_pages_changed
from permits.uploads import check_upload

# What an attachment may be: the catalogue's document types (PDF, OFD) and images, up to 20 MB.
ATTACHMENT_REQUIREMENT = {"accepted_types": ["pdf", "ofd", "jpg", "png"], "max_size": 20 << 20}


def _lock(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _move(
    article: Article, locked: Article, *, target: str, action: str, actor: Any, note: str = ""
) -> None:
    if not locked.can_move_to(target):
        raise Conflict(
            _("This article is %(state)s and cannot be moved to %(target)s.")
            % {"state": locked.get_state_display(), "target": State(target).label}
        )
    before = locked.state
    locked.state = target
    now = timezone.now()
    fields = ["state", "updated_at"]
    if target == State.IN_REVIEW:
        locked.submitted_at = now
        fields.append("submitted_at")
    if target == State.PUBLISHED:
        locked.published_at, locked.published_by = now, actor
        fields += ["published_at", "published_by"]
    locked.save(update_fields=fields)
    ArticleLog.objects.create(
        article=locked,
        action=action,
        state_before=before,
        state_after=target,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
        at=now,
    )
    audit_record(
        "admin",
        f"disclosure_{action}",
        actor=actor,
        target=locked,
        detail={"kind": locked.kind, "before": before, "after": target},
    )
    for name in fields:
        setattr(article, name, getattr(locked, name))
    if State.PUBLISHED in (before, target):
        # The home page lists the latest notices, and anonymous visitors get it from the public
        # pages' cache (portal/pagecache.py): a notice published or taken down is a new version.
        public_pages_changed()


def _validate(*, kind: str, policy: Article | None) -> None:
    if kind == Kind.INTERPRETATION and (policy is None or policy.kind != Kind.POLICY):
        raise Invalid(
            _("An interpretation names the policy it explains."),
            fields={"policy": [_("Choose the policy this text interprets.")]},
        )
    if kind != Kind.INTERPRETATION and policy is not None:
        raise Invalid(
            _("Only an interpretation names a policy."),
            fields={"policy": [_("Only an interpretation names a policy.")]},
        )


@transaction.atomic
def article_create(*, actor: Any, kind: str, title: str, **fields: Any) -> Article:
    """A new draft by an editor (``NotAllowed`` otherwise); logged as ``created``."""
    if not permissions.can_edit(actor):
        raise NotAllowed()
    _validate(kind=kind, policy=fields.get("policy"))
    article = Article.objects.create(kind=kind, title=title, created_by=actor, **fields)
    ArticleLog.objects.create(
        article=article, action="created", state_after=State.DRAFT, actor=actor
    )
    audit_record("admin", "disclosure_created", actor=actor, target=article, detail={"kind": kind})
    return article


EDITABLE = ("category", "title", "summary", "body", "document_number", "issuer", "policy", "kind")


@transaction.atomic
def article_update(*, article: Article, actor: Any, changes: dict[str, Any]) -> list[str]:
    """An editor's change of a draft (``Conflict`` once it is in review or published): the
    fields that really changed are saved, logged as ``edited`` (the note names the fields, not
    their text) and audited. Returns the changed field names (none: nothing is written)."""
    if not permissions.can_edit(actor):
        raise NotAllowed()
    locked = _lock(article)
    if locked.state != State.DRAFT:
        raise Conflict(_("Only a draft can be edited."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    changed = [
        name for name in EDITABLE if name in changes and getattr(locked, name) != changes[name]
    ]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, changes[name])
    _validate(kind=locked.kind, policy=locked.policy)
    locked.save(update_fields=[*changed, "updated_at"])
    ArticleLog.objects.create(
        article=locked,
        action="edited",
        state_before=State.DRAFT,
        state_after=State.DRAFT,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=(_("Changed: %s") % ", ".join(changed))[:500],
    )
    audit_record(
        "admin",
        "disclosure_edited",
        actor=actor,
        target=locked,
        detail={"kind": locked.kind, "fields": changed},
    )
    for name in [*changed, "updated_at"]:
        setattr(article, name, getattr(locked, name))
    return changed


@transaction.atomic
def article_submit(*, article: Article, actor: Any) -> None:
    """draft → in review, by an editor."""
    if not permissions.can_edit(actor):
        raise NotAllowed()
    locked = _lock(article)
    _validate(kind=locked.kind, policy=locked.policy)
    _move(article, locked, target=State.IN_REVIEW, action="submitted", actor=actor)


@transaction.atomic
def article_publish(*, article: Article, actor: Any) -> None:
    """in review → published, by a reviewer who is not the author (``NotAllowed``)."""
    locked = _lock(article)
    if not permissions.can_review(actor, locked):
        if permissions.can_review(actor):
            raise NotAllowed(
                _("The author of an article cannot publish it: another reviewer must.")
            )
        raise NotAllowed()
    _move(article, locked, target=State.PUBLISHED, action="published", actor=actor)


@transaction.atomic
def article_return(*, article: Article, actor: Any, note: str = "") -> None:
    """in review → draft, by a reviewer, with a note for the author."""
    locked = _lock(article)
    if not permissions.can_review(actor, locked):
        raise NotAllowed()
    _move(article, locked, target=State.DRAFT, action="returned", actor=actor, note=note)


@transaction.atomic
def article_withdraw(*, article: Article, actor: Any, note: str = "") -> None:
    """published → withdrawn (off the public pages), by a reviewer."""
    if not permissions.can_review(actor):
        raise NotAllowed()
    locked = _lock(article)
    _move(article, locked, target=State.WITHDRAWN, action="withdrawn", actor=actor, note=note)


@transaction.atomic
def article_reopen(*, article: Article, actor: Any) -> None:
    """withdrawn → draft, by an editor, to correct and publish again through review."""
    if not permissions.can_edit(actor):
        raise NotAllowed()
    locked = _lock(article)
    _move(article, locked, target=State.DRAFT, action="reopened", actor=actor)


@transaction.atomic
def attachment_add(*, article: Article, actor: Any, uploaded_file: UploadedFile) -> Attachment:
    """Attach a file to a draft (or an article sent back). The file passes the material upload
    checks (``permits.uploads.check_upload``: sniffed type agreeing with the extension, size,
    safe display name) and is stored through the storage API under a generated name."""
    if not permissions.can_edit(actor):
        raise NotAllowed()
    locked = _lock(article)
    if locked.state != State.DRAFT:
        raise Conflict(_("Files can be attached to drafts only."))
    checked = check_upload(uploaded_file=uploaded_file, requirement=ATTACHMENT_REQUIREMENT)
    attachment = Attachment(
        article=locked,
        display_name=checked.display_name,
        file_type=checked.file_type,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.stored_name, checked.file, save=False)
    attachment.save()
    audit_record(
        "admin",
        "disclosure_attachment_added",
        actor=actor,
        target=locked,
        detail={"attachment": attachment.pk, "sha256": checked.sha256},
    )
    return attachment
