"""The catalogue's version stamp: what keys every cached public page (issue 11 item 3).

The portal caches the rendered home, catalogue and guide pages in the shared cache (Redis), keyed
by this stamp (``portal.pagecache``). Any change to what those pages show bumps it, so a cached
page is never older than the catalogue: there is no timeout to wait for.

What bumps it:

- the lifecycle services (``permits.services``: publish, resume, suspend, retire) call
  :func:`catalogue_changed`;
- any save or delete of a catalogue row (items, their departments, materials and form fields,
  the departments and regions they name) does too, through the signals connected below (edits
  in the admin that do not go through a service, imports).

A bump happens at once **and again when the transaction commits**: a page rendered by another
request between the two (it saw the old rows under the new stamp) is keyed by a stamp nobody
reads any more after the commit. Bulk writes that send no signals (``QuerySet.update``, COPY)
must call :func:`catalogue_changed` themselves.

The stamp is a nanosecond clock value, not 1, 2, 3…: if Redis loses the key (restart, eviction)
the next stamp can never be one a stale page is still stored under. With Redis unreachable
:func:`catalogue_version` answers ``None`` and the portal renders every page live.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalogue:version"


def catalogue_version() -> str | None:
    """The current stamp, created on first use; ``None`` when the cache cannot be read."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return None if version is None else str(version)


def new_version() -> None:
    """A new stamp now (no transaction involved)."""
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def catalogue_changed() -> None:
    """The catalogue changed: every cached public page is out of date (now and at commit)."""
    new_version()
    transaction.on_commit(new_version)


def _on_catalogue_row(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: no cache of a database being loaded
        return
    catalogue_changed()


def connect_signals() -> None:
    """Called from ``PermitsConfig.ready``."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from departments.models import Department, Region
    from permits.models import FormField, ItemDepartment, MaterialRequirement, ServiceItem

    for model in (ServiceItem, ItemDepartment, MaterialRequirement, FormField, Department, Region):
        uid = f"catalogue-version-{model.__name__}"
        post_save.connect(_on_catalogue_row, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_catalogue_row, sender=model, dispatch_uid=f"{uid}-delete")
    # A material's "needed by" departments.
    through = MaterialRequirement.departments.through
    m2m_changed.connect(_on_catalogue_row, sender=through, dispatch_uid="catalogue-version-m2m")
