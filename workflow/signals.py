"""Signals sent by the workflow services after their transaction commits.

``case_changed(sender=Application, application_id, action, event_id)``: an event was appended to
a case (submitted, accepted, supplement_requested, department_approved, approved …). Listeners
(notifications, statistics) take ids and fetch what they need; they run after commit, so a
failing listener never undoes a case's move.
"""

from django.dispatch import Signal

case_changed = Signal()
