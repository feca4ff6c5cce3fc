"""Choices shared across apps, kept apart from the models so that any layer can name them
without importing a model module."""

from __future__ import annotations

from django.db import models


class EventAction(models.TextChoices):
    """What an Event records. The one list of actions: ``event_append`` takes only these, and
    the timeline's labels (``workflow.labels``) are keyed by them."""

    CREATED = "created"
    FORM_UPDATED = "form_updated"
    MATERIAL_UPLOADED = "material_uploaded"
    MATERIAL_DELETED = "material_deleted"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_ANSWERED = "supplement_answered"
    DEPARTMENT_NOTIFIED = "department_notified"
    STAGE_APPROVED = "stage_approved"
    DEPARTMENT_APPROVED = "department_approved"
    DEPARTMENT_DENIED = "department_denied"
    DEPARTMENT_DEEMED_APPROVED = "department_deemed_approved"
    INSPECTION_NEEDED = "inspection_needed"
    INSPECTION_PASSED = "inspection_passed"
    INSPECTION_FAILED = "inspection_failed"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    HANDED_OVER = "handed_over"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_REASSIGNED = "task_reassigned"
    CLOCK_PAUSED = "clock_paused"
    CLOCK_RESUMED = "clock_resumed"
    CLOCK_DATED_BACK = "clock_dated_back"
    CLOCK_EXTENDED = "clock_extended"
    TASK_WARNING = "task_warning"
    TASK_OVERDUE = "task_overdue"
    TASK_ESCALATED = "task_escalated"
    CASE_WARNING = "case_warning"
    CASE_OVERDUE = "case_overdue"
    PAUSED = "paused"
    RESUMED = "resumed"
