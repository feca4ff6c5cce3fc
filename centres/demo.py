"""The demo's window items (``manage.py seed_demo``): the items each window of a demo centre
accepts, as ``permits/demo/centres.yaml`` lists them (``items`` of a window), so the kiosk, the
assignment and the desk work on first look. A window listing none accepts every item of its
categories (the comprehensive windows: every item).

Set through ``centres.services.windows.window_items_set`` (the rule the centre head's page
uses). Idempotent: a window whose items already match is not touched, and a second run costs
three queries. Registered with ``permits.demo.register_seed_step`` from
``CentresConfig.ready()`` (permits never imports centres)."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from centres.models import WindowItem
from centres.services.windows import window_items_set
from departments.models import Window
from permits import demo
from permits.models import ServiceItem

logger = logging.getLogger(__name__)


@dataclass
class Result:
    created: list[str] = field(default_factory=list)  # windows whose items were set
    kept: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # window or item missing


def seed_window_items(centres: list[demo.Centre] | None = None) -> Result:
    centres = demo.CENTRES if centres is None else centres
    result = Result()
    wanted = {
        (centre.region, window.number): window.items
        for centre in centres
        for window in centre.windows
    }
    codes = {code for items in wanted.values() for code in items}
    items = dict(ServiceItem.objects.filter(code__in=sorted(codes)).values_list("code", "pk"))
    windows = {
        (w.centre.region.code, w.number): w
        for w in Window.objects.select_related("centre__region").filter(
            centre__region__code__in={region for region, _n in wanted}
        )
    }
    listed: dict[int, set[int]] = defaultdict(set)
    for window_id, item_id in WindowItem.objects.filter(
        window_id__in=[w.pk for w in windows.values()]
    ).values_list("window_id", "item_id"):
        listed[window_id].add(item_id)
    for key, codes_of_window in sorted(wanted.items()):
        name = f"{key[0]}-{key[1]}"
        window = windows.get(key)
        missing = [c for c in codes_of_window if c not in items]
        if window is None or missing:
            logger.warning("demo window %s not given its items: missing %s", name, missing)
            result.skipped.append(name)
            continue
        ids = {items[c] for c in codes_of_window}
        if listed.get(window.pk, set()) == ids:
            result.kept.append(name)
            continue
        window_items_set(window=window, item_ids=ids)
        result.created.append(name)
    return result
