"""The services that move cases (DESIGN.md §2), split by what they own — ``applications``,
``materials``, ``tasks``, ``participations``, ``notices``, ``idempotency``, ``locking``,
``events`` — and named here again for callers (``from workflow import services``). Portal
pages, back-office pages, window intake and the API all call them, so a case behaves the same
whichever door it came in by. The modules import each other directly, never this package.

Every service:

* takes the acting user explicitly (keyword-only arguments) and asks ``workflow.access``
  whether they may act; a case, task or material they may not see answers ``NotFound``;
* runs in one transaction; a case that already has a process is locked in one order
  everywhere (``services.locking``) — the viewflow process row first (blocking ``SELECT … FOR
  UPDATE`` bounded by the database's ``lock_timeout``), then the application row — so
  concurrent writers wait and exactly one wins; the loser gets ``Conflict`` (409);
* appends an ``Event`` through ``services.events.event_append`` for every change;
* hands side effects on only after commit: the ``workflow.signals.case_changed`` signal, and
  Celery work through the outbox (``onestop.dispatch``).
"""

from workflow.services.applications import (  # noqa: F401 - re-exported for callers
    HANDOVER_METHODS,
    application_create,
    application_handover,
    application_submit,
    application_update_form,
    application_withdraw,
)
from workflow.services.common import (  # noqa: F401 - re-exported for callers
    ACCEPTANCE_DAYS,
    REMEDY_NOTICE,
    SUPPORTED_MODELS,
    add_time_limit,
    item_applies_online,
)
from workflow.services.idempotency import body_hash  # noqa: F401 - re-exported for callers
from workflow.services.materials import (  # noqa: F401 - re-exported for callers
    material_delete,
    material_original_checked,
    material_replace,
    material_upload,
    missing_materials,
)
from workflow.services.notices import (  # noqa: F401 - re-exported for callers
    denial_notice,
    department_reasons,
    not_accepted_notice,
)
from workflow.services.participations import (  # noqa: F401 - re-exported for callers
    notify_departments,
    review_task_data,
)
from workflow.services.reopen import (  # noqa: F401 - re-exported for callers
    case_answer_settle,
    case_reopen,
)
from workflow.services.tasks import (  # noqa: F401 - re-exported for callers
    review_deemed_approve,
    task_claim,
    task_complete,
    task_reassign,
    task_release,
)
