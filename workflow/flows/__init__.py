"""One module per flow (``parallel.py`` today) and ``registry.py``, the map from a service model
to its flow (docs/architecture.md).

``ParallelLicensingFlow`` is also reachable here, at its pre-package path: viewflow stores a
process's flow as ``workflow/flows.ParallelLicensingFlow``-style references. Migration
``workflow/0005_flow_class_paths`` rewrites the stored rows to the new module; this alias keeps
any reference written before it (a backup restored, a row in flight) resolving. Loaded on first
use, so importing ``workflow.flows.registry`` does not load the flows."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "ParallelLicensingFlow":
        from workflow.flows.parallel import ParallelLicensingFlow

        return ParallelLicensingFlow
    raise AttributeError(name)
