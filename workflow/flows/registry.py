"""Which flow runs a case: one line per service model (DESIGN.md §4, docs/architecture.md).

Flows are named by dotted path and imported on first use, so this module is a leaf: services,
locking and the catalogue's "can this item be applied for" question ask it without loading the
flows (which import the step and service modules themselves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

from permits.models import ServiceModel

if TYPE_CHECKING:  # pragma: no cover
    from viewflow.workflow.flow import Flow

    from permits.models import Application

FLOWS: dict[str, str] = {
    ServiceModel.PARALLEL: "workflow.flows.parallel.ParallelLicensingFlow",
    # Single-department items run the same flow with no participants.
    ServiceModel.SINGLE_DEPARTMENT: "workflow.flows.parallel.ParallelLicensingFlow",
    ServiceModel.CORE_DEPARTMENT: "workflow.flows.core_department.CoreDepartmentFlow",
    ServiceModel.PROCESS_CENTRED: "workflow.flows.process_centred.ProcessCentredFlow",
}


class NoFlow(LookupError):
    """No flow is built for this service model (yet)."""


def has_flow(service_model: str) -> bool:
    """Whether cases of this service model can be started."""
    return service_model in FLOWS


def flow_for(service_model: str) -> type[Flow]:
    """The flow class of a service model; ``NoFlow`` when none is built."""
    try:
        path = FLOWS[service_model]
    except KeyError as exc:
        raise NoFlow(service_model) from exc
    return import_string(path)


def flow_for_application(application: Application) -> type[Flow]:
    """The flow a new case of this application's item starts. A case that already has a process
    keeps the flow it started with: its process row names it (``CaseProcess.flow_class``),
    which is what the case lock and withdrawal use."""
    return flow_for(application.item.service_model)
