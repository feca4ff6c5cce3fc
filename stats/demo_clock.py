"""A clock the demo's history moves (``stats.demo_history``): while it runs, Django's
``timezone.now()`` — and so every service, flow, ``auto_now`` column and ``default=timezone.now``
field — reads the moment the history has reached, so the rows a case leaves are the rows
production would have written at those dates (numbers, events, dues, tasks, ratings).

What it patches, and gives back on exit:

* ``django.utils.timezone.now`` (what ``timezone.now()``, ``localtime()``, ``localdate()`` and
  the ``auto_now`` fields call);
* every loaded module's global ``now`` bound to it (``from django.utils.timezone import now``:
  viewflow's nodes, ``workflow.flows.parallel``);
* every model field whose default is it (``default=timezone.now`` keeps the function itself,
  and ``Field._get_default`` caches it).

Not ``time.time()`` nor ``datetime.now()``: nothing the demo's cases store comes from them (the
throttles and the cache use them). ``time_machine`` would patch those too, but it is a test
dependency, and ``make demo`` installs only ``requirements.txt``.

Each reading of the clock moves it on by a millisecond, so the events of one step keep their
order by time as they do by id. One process, one thread: for ``seed_demo`` only.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from django.apps import apps
from django.utils import timezone

TICK = timedelta(milliseconds=1)


class DemoClock:
    """``with DemoClock(start) as clock: … clock.set(moment) …``"""

    def __init__(self, start: datetime) -> None:
        self.moment = start
        self._real = timezone.now
        self._modules: list = []
        self._fields: list = []

    def now(self) -> datetime:
        moment = self.moment
        self.moment = moment + TICK
        return moment

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (never back: a step later than the last reading)."""
        self.moment = max(moment, self.moment)

    def __enter__(self) -> DemoClock:
        real, fake = self._real, self.now
        for module in list(sys.modules.values()):
            if module is None or getattr(module, "now", None) is not real:
                continue
            self._modules.append(module)
            module.now = fake  # type: ignore[attr-defined]
        if timezone not in self._modules:
            self._modules.append(timezone)
            timezone.now = fake  # type: ignore[assignment]
        for model in apps.get_models():
            for field in model._meta.local_fields:
                if field.default is real:
                    self._fields.append(field)
                    field.default = fake
                    field.__dict__.pop("_get_default", None)  # a cached_property
        return self

    def __exit__(self, *exc) -> None:
        real = self._real
        for module in self._modules:
            module.now = real
        for field in self._fields:
            field.default = real
            field.__dict__.pop("_get_default", None)
        self._modules, self._fields = [], []
