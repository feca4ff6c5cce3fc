"""Signals sent by the workflow services after their transaction commits.

``case_changed(sender=Application, application_id, action, event_id)``: an event was appended to
a case (submitted, accepted, supplement_requested, department_approved, approved …). Listeners
(notifications, statistics) take ids and fetch what they need; they run after commit, so a
failing listener never undoes a case's move.
"""

from django.dispatch import Signal

case_changed = Signal()

# ``events_appended(sender=Event, events, using)``: sent by
# ``workflow.services.events.events_bulk_append`` inside the writing transaction, once for a
# bulk INSERT of events, after each event's ``post_save`` (sent with ``bulk=True``). A receiver
# that writes a row per event (the notifications' outbox message) writes one for them all here.
events_appended = Signal()
