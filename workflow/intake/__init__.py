"""Process-centred intake (issue 8): anonymous complaints followed with a query code, the 12345
operator's entry of a call and the linking of repeated calls (重复件), the limits by request kind
and urgency configured per item, and the petition reviews (信访 复查 / 复核). Models are
registered through ``workflow.models``; the limit arithmetic is
``workflow.deadlines.requestlimits``."""
