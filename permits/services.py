"""Writes of the catalogue: publishing items and moving them through their lifecycle.

Lifecycle (DESIGN.md §3)::

    draft ──publish──▶ published ──suspend──▶ suspended ──resume──▶ published
                          │  ▲ publish (new version when changed)     │
                          └──┴──────────────retire──────────────────▶ retired (final)

- published: listed, takes applications under its ``current_version``.
- suspended: still listed (the guide says so), takes no new applications and its drafts cannot be
  submitted (``item_assert_accepting``); cases in flight continue under their own version.
- retired: gone from the portal and the API; its versions stay for the cases that point at them.

Callers are catalogue administrators (the admin, ``import_catalogue``); who may call is checked
by the admin's permissions, not here.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.records import record as audit_record
from permits.exceptions import ItemConfigurationInvalid, ItemNotAccepting, ItemTransitionRefused
from permits.itemconfig import item_config, validate_item_config
from permits.models import ItemStatus, ItemVersion, ServiceItem
from permits.public_pages_version import public_pages_changed
from permits.signals import item_version_published

logger = logging.getLogger(__name__)


def item_validate(*, item: ServiceItem) -> dict[str, Any]:
    """Validate the item's saved configuration with every catalogue rule and return it (the
    snapshot format of ``permits.itemconfig``). Raises ``ItemConfigurationInvalid``."""
    config = item_config(item)
    problems = validate_item_config(config)
    if problems:
        raise ItemConfigurationInvalid(problems)
    return config


def _lock(item: ServiceItem) -> ServiceItem:
    return ServiceItem.objects.select_for_update().get(pk=item.pk)


def _set_status(item: ServiceItem, locked: ServiceItem, status: str) -> None:
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    item.status = status


def _freeze(*, item: ServiceItem, locked: ServiceItem, actor: AbstractBaseUser | None):
    config = item_validate(item=locked)
    current = locked.current_version
    if current is not None and current.snapshot == config:
        version = current
    else:
        last = ItemVersion.objects.filter(item=locked).aggregate(n=Max("number"))["n"] or 0
        version = ItemVersion.objects.create(
            item=locked,
            number=last + 1,
            snapshot=config,
            published_by=actor if actor is not None and actor.is_authenticated else None,
        )
        logger.info("item %s published as version %s", locked.code, version.number)
        item_version_published.send(
            sender=ItemVersion, version=version, previous=current, actor=actor
        )
    locked.status = ItemStatus.PUBLISHED
    locked.current_version = version
    locked.save(update_fields=["status", "current_version", "updated_at"])
    _audit(locked, "item_published", actor, version=version.number)
    public_pages_changed()
    item.status = locked.status
    item.current_version = version
    return version


def _audit(item: ServiceItem, action: str, actor, **detail) -> None:
    audit_record(
        "catalogue",
        action,
        actor=actor,
        target=item,
        detail={"code": item.code, "region": item.region_id, **detail},
    )


@transaction.atomic
def item_publish(*, item: ServiceItem, actor: AbstractBaseUser | None) -> ItemVersion:
    """Validate the item and freeze its configuration into an immutable ``ItemVersion``.

    Rule: every catalogue rule must hold (``ItemConfigurationInvalid`` lists what does not);
    draft, published and suspended items can be published (``ItemTransitionRefused`` for a
    retired one). A new version gets the next number; when nothing changed since the current
    version, that version is reused, so publishing twice does not multiply versions (and the
    cases in flight keep sharing it). Afterwards the item is ``published`` and its
    ``current_version`` is the returned version. ``actor`` is recorded as ``published_by``.
    """
    locked = _lock(item)
    if not locked.can_move_to(ItemStatus.PUBLISHED):
        raise ItemTransitionRefused(_("A retired item cannot be published again."))
    return _freeze(item=item, locked=locked, actor=actor)


@transaction.atomic
def item_suspend(*, item: ServiceItem, actor: AbstractBaseUser | None) -> None:
    """published → suspended: the item stays listed but takes no new applications, and its
    drafts cannot be submitted. Cases in flight continue."""
    locked = _lock(item)
    if locked.status != ItemStatus.PUBLISHED:
        raise ItemTransitionRefused(_("Only a published item can be suspended."))
    _set_status(item, locked, ItemStatus.SUSPENDED)
    _audit(locked, "item_suspended", actor)
    public_pages_changed()
    logger.info("item %s suspended by %s", locked.code, getattr(actor, "pk", None))


@transaction.atomic
def item_resume(*, item: ServiceItem, actor: AbstractBaseUser | None) -> ItemVersion:
    """suspended → published. The configuration is validated and frozen as by
    ``item_publish``: edits made while suspended become a new version (the usual reason to
    suspend an item is to correct it); an unchanged item keeps its version."""
    locked = _lock(item)
    if locked.status != ItemStatus.SUSPENDED:
        raise ItemTransitionRefused(_("Only a suspended item can be resumed."))
    return _freeze(item=item, locked=locked, actor=actor)


@transaction.atomic
def item_retire(*, item: ServiceItem, actor: AbstractBaseUser | None) -> None:
    """published or suspended → retired, for good: the item disappears from the portal and the
    API. Its versions remain for the cases that point at them. Drafts are deleted, not
    retired."""
    locked = _lock(item)
    if not locked.can_move_to(ItemStatus.RETIRED):
        raise ItemTransitionRefused(_("Only a published or suspended item can be retired."))
    _set_status(item, locked, ItemStatus.RETIRED)
    _audit(locked, "item_retired", actor)
    public_pages_changed()
    logger.info("item %s retired by %s", locked.code, getattr(actor, "pk", None))


def item_assert_accepting(item: ServiceItem) -> int:
    """Raise ``ItemNotAccepting`` unless the item takes new applications now, that is it is
    published and has a version; return that version's id (the one a new case points at; the
    row itself is not read: a submission only checks).

    Call it when a case is created and again when a draft is submitted (a suspended item's
    drafts cannot be submitted). For a race-free check inside a transaction pass an item row
    fetched with ``select_for_update``.
    """
    if item.status == ItemStatus.SUSPENDED:
        raise ItemNotAccepting(
            _(
                "This item is suspended: it takes no new applications and drafts cannot be "
                "submitted until it resumes."
            )
        )
    if item.status != ItemStatus.PUBLISHED or item.current_version_id is None:
        raise ItemNotAccepting()
    return item.current_version_id
