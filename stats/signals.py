"""What the statistics feed tells the read models of the apps above it (they connect; the
statistics never import them)."""

from django.dispatch import Signal

# Sent by ``stats.ingest.ingest_events`` inside its transaction, after the counters and the
# cases' facts are written (the cases locked), with ``events``: the rows of the events it
# counted for the first time (dicts with ``pk``, ``at``, ``action``, ``application_id`` …).
# A receiver writing in that transaction commits with the feed, or fails with it (the events
# stay uncounted, and ``statistics_rebuild --missing`` feeds them again).
events_counted = Signal()
