"""Signals of the permits app for apps above it (they connect in their ``AppConfig.ready()``).

``registration_on_record``: someone registered with an ID number already on record. The
registration answers as if it went through (it does not say whether the number is known); the
record's owner is told instead. Sent in the registration's transaction with ``person`` (the
record) and ``channel`` ("web" or "api"). ``notifications`` connects the SMS to the owner.

``item_version_published``: publishing froze a NEW version of an item (publishing an unchanged
item reuses its version and sends nothing). Sent in the publication's transaction with
``version`` (the new ``ItemVersion``), ``previous`` (the version it replaces, or None for the
item's first) and ``actor``; a receiver's writes commit or roll back with the version.
``disclosure`` connects the service-guide change (办事指南变更) it publishes.
"""

from django.dispatch import Signal

registration_on_record = Signal()
item_version_published = Signal()
