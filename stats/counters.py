"""Which Event counts in which daily counter (docs/statistics.md, "Daily counters").

Case-level acts count for the case's lead department, whatever department the event names;
department-level acts (a department's warning, red card, escalation, deemed approval, return)
count for the department the event names (the lead when it names none)."""

from __future__ import annotations

from permits.choices import EventAction as A

# counter → the actions it counts
CASE_COUNTERS: dict[str, tuple[str, ...]] = {
    "applications": (A.SUBMITTED,),
    "accepted": (A.ACCEPTED,),
    "not_accepted": (A.NOT_ACCEPTED,),
    "supplements": (A.SUPPLEMENT_REQUESTED,),
    "approved": (A.APPROVED,),
    "denied": (A.DENIED,),
    "answered": (A.ANSWERED,),
    "terminated": (A.TERMINATED,),
    "withdrawn": (A.WITHDRAWN,),
}
DEPARTMENT_COUNTERS: dict[str, tuple[str, ...]] = {
    "yellow": (A.TASK_WARNING, A.CASE_WARNING),
    "red": (A.TASK_OVERDUE, A.CASE_OVERDUE),
    "escalations": (A.TASK_ESCALATED,),
    "deemed": (A.DEPARTMENT_DEEMED_APPROVED,),
    "returns": (A.DEPARTMENT_RETURNED,),
    "special_procedures": (A.CLOCK_PAUSED,),
}
COUNTERS: tuple[str, ...] = (*CASE_COUNTERS, *DEPARTMENT_COUNTERS)

ACTION_COUNTER: dict[str, tuple[str, bool]] = {}
"""action → (counter, counted for the lead department)"""
for _name, _actions in CASE_COUNTERS.items():
    for _action in _actions:
        ACTION_COUNTER[str(_action)] = (_name, True)
for _name, _actions in DEPARTMENT_COUNTERS.items():
    for _action in _actions:
        ACTION_COUNTER[str(_action)] = (_name, False)
