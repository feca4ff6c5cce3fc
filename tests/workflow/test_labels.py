"""The timeline's labels (workflow/labels.py) and the one list of actions (EventAction)."""

from permits.choices import EventAction
from workflow.labels import EVENT_LABELS, INTERNAL_EVENTS, event_label


def test_every_action_has_a_label_and_every_label_an_action():
    assert set(EVENT_LABELS) == set(EventAction.values)
    assert set(EventAction.values) >= INTERNAL_EVENTS


def test_an_action_no_longer_in_the_list_shows_as_recorded():
    assert event_label("review_started") == "review started"
