"""The public pages' version stamp: what keys every cached public page (issue 11 item 3).

The portal caches the rendered home, catalogue and guide pages in the shared cache (Redis), keyed
by this stamp (``portal.pagecache``). Any change to what those pages show bumps it, so a cached
page is never older than what it shows: there is no timeout to wait for.

What bumps it:

- the catalogue's lifecycle services (``permits.services``: publish, resume, suspend, retire)
  and the notices' (``disclosure.services``: a notice published or withdrawn, which the home
  page lists) call :func:`public_pages_changed`;
- any save or delete of a catalogue row (items, their departments, materials and form fields,
  the departments and regions they name) does too, through the signals connected below (edits
  in the admin that do not go through a service, imports).

A bump happens at once **and again when the transaction commits**: a page rendered by another
request between the two (it saw the old rows under the new stamp) is keyed by a stamp nobody
reads any more after the commit. Bulk writes that send no signals (``QuerySet.update``, COPY)
must call :func:`public_pages_changed` themselves.

The stamp is a nanosecond clock value, not 1, 2, 3…: if Redis loses the key (restart, eviction)
the next stamp can never be one a stale page is still stored under. With Redis unreachable
:func:`public_pages_version` answers ``None`` and the portal renders every page live.

This module was ``permits.catalogue_version`` with the key ``catalogue:version``. A page cached
under the old key's stamp is a miss under the new one (another clock value) and is overwritten;
every bump also moves the old key, so a web node still running the old code during a rolling
deploy never serves a page older than a change made through a new node.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "public_pages:version"
# The old name of the key (until nodes running the old code are gone): bumped, never read.
LEGACY_VERSION_KEY = "catalogue:version"


def public_pages_version() -> str | None:
    """The current stamp, created on first use; ``None`` when the cache cannot be read."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return None if version is None else str(version)


def new_version() -> None:
    """A new stamp now (no transaction involved)."""
    stamp = time.time_ns()
    cache.set_many({VERSION_KEY: stamp, LEGACY_VERSION_KEY: stamp}, timeout=None)


def public_pages_changed() -> None:
    """What a public page shows changed: every cached public page is out of date (now and at
    commit)."""
    new_version()
    transaction.on_commit(new_version)


def _on_catalogue_row(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: no cache of a database being loaded
        return
    public_pages_changed()


def connect_signals() -> None:
    """Called from ``PermitsConfig.ready``."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from departments.models import Department, Region
    from permits.models import FormField, ItemDepartment, MaterialRequirement, ServiceItem

    for model in (ServiceItem, ItemDepartment, MaterialRequirement, FormField, Department, Region):
        uid = f"public-pages-version-{model.__name__}"
        post_save.connect(_on_catalogue_row, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_catalogue_row, sender=model, dispatch_uid=f"{uid}-delete")
    # A material's "needed by" departments.
    through = MaterialRequirement.departments.through
    m2m_changed.connect(_on_catalogue_row, sender=through, dispatch_uid="public-pages-version-m2m")
