"""Signals of the permits app for apps above it (they connect in their ``AppConfig.ready()``).

``registration_on_record``: someone registered with an ID number already on record. The
registration answers as if it went through (it does not say whether the number is known); the
record's owner is told instead. Sent in the registration's transaction with ``person`` (the
record) and ``channel`` ("web" or "api"). ``notifications`` connects the SMS to the owner.
"""

from django.dispatch import Signal

registration_on_record = Signal()
