"""The statistics' tables: one structure the pages render, the charts read and the exports
write (CSV and xlsx through ``onestop.tabular``), so every table on a page can be exported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from .figures import Figures


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # per row, the query string of its drill-down (``?department=3``), or ""
    links: list[str] = field(default_factory=list)

    def pairs(self) -> list[tuple[list[Any], str]]:
        return list(zip(self.rows, self.links or [""] * len(self.rows), strict=False))


# (label, how to read it from a group's Figures) for the group tables
GROUP_COLUMNS: list[tuple[Any, Any]] = [
    (_("Applications"), lambda f: f.volumes["applications"]),
    (_("Online"), lambda f: f.by_channel.get("online", 0)),
    (_("At a window"), lambda f: f.by_channel.get("window", 0)),
    (_("Hotline"), lambda f: f.by_channel.get("hotline", 0)),
    (_("API"), lambda f: f.by_channel.get("api", 0)),
    (_("Accepted"), lambda f: f.volumes["accepted"]),
    (_("Not accepted"), lambda f: f.volumes["not_accepted"]),
    (_("Supplements (补正)"), lambda f: f.volumes["supplements"]),
    (_("Approved"), lambda f: f.volumes["approved"]),
    (_("Denied"), lambda f: f.volumes["denied"]),
    (_("Answered"), lambda f: f.volumes["answered"]),
    (_("Terminated"), lambda f: f.volumes["terminated"]),
    (_("Withdrawn"), lambda f: f.volumes["withdrawn"]),
    (_("Concluded"), lambda f: f.concluded),
    (_("Average handling (working days)"), lambda f: f.average_days),
    (_("90th percentile (working days)"), lambda f: f.p90_days),
    (_("On-time rate %"), lambda f: f.on_time_rate),
    (_("Time lost to supplements and special procedures %"), lambda f: f.lost_share),
    (_("Online application rate % (上网办理率)"), lambda f: f.online_application_rate),
    (_("Online completion rate % (网上办结率)"), lambda f: f.online_completion_rate),
    (_("On-the-spot share % (即办件)"), lambda f: f.instant_share),
    (_("Yellow cards"), lambda f: f.volumes["yellow"]),
    (_("Red cards"), lambda f: f.volumes["red"]),
    (_("Escalations"), lambda f: f.volumes["escalations"]),
    (_("Deemed approvals"), lambda f: f.volumes["deemed"]),
    (_("Returns"), lambda f: f.volumes["returns"]),
    (_("Satisfaction rate %"), lambda f: f.satisfaction_rate),
]


def group_table(
    key: str, title: Any, first: Any, groups: list[tuple[Any, str, Figures]], link_param: str = ""
) -> Table:
    """``groups``: (id, name, figures) in display order."""
    table = Table(key, str(title), [str(first), *(str(label) for label, _get in GROUP_COLUMNS)])
    for pk, name, fig in groups:
        table.rows.append([name, *(get(fig) for _label, get in GROUP_COLUMNS)])
        table.links.append(f"{link_param}={pk}" if link_param and pk else "")
    return table


# The overall figures: (section, label, read, unit, drill-down ``what``)
FIGURE_ROWS: list[tuple[Any, Any, Any, str, str]] = [
    (_("Volumes"), _("Applications"), lambda f: f.volumes["applications"], "", ""),
    (_("Volumes"), _("Accepted"), lambda f: f.volumes["accepted"], "", ""),
    (_("Volumes"), _("Not accepted"), lambda f: f.volumes["not_accepted"], "", ""),
    (_("Volumes"), _("Supplements (补正)"), lambda f: f.volumes["supplements"], "", "supplemented"),
    (_("Volumes"), _("Approved"), lambda f: f.volumes["approved"], "", ""),
    (_("Volumes"), _("Denied"), lambda f: f.volumes["denied"], "", ""),
    (_("Volumes"), _("Answered"), lambda f: f.volumes["answered"], "", ""),
    (_("Volumes"), _("Terminated"), lambda f: f.volumes["terminated"], "", ""),
    (_("Volumes"), _("Withdrawn"), lambda f: f.volumes["withdrawn"], "", ""),
    (_("Volumes"), _("Concluded"), lambda f: f.concluded, "", "concluded"),
    (_("三率一数"), _("Fully online items (全流程网办率)"), lambda f: f.full_online_rate, "%", ""),
    (
        _("三率一数"),
        _("Online application rate (上网办理率)"),
        lambda f: f.online_application_rate,
        "%",
        "",
    ),
    (
        _("三率一数"),
        _("Online completion rate (网上办结率)"),
        lambda f: f.online_completion_rate,
        "%",
        "online",
    ),
    (
        _("三率一数"),
        _("Items needing at most one visit (最多跑一次)"),
        lambda f: f.one_visit_share,
        "%",
        "",
    ),
    (_("三率一数"), _("Items needing no visit (零跑动)"), lambda f: f.zero_visit_share, "%", ""),
    (_("三率一数"), _("Visits per concluded case (跑动次数)"), lambda f: f.average_visits, "", ""),
    (
        _("三率一数"),
        _("Items that can be applied for online (网上可办率)"),
        lambda f: f.online_capable_rate,
        "%",
        "",
    ),
    (
        _("Time"),
        _("Average handling time"),
        lambda f: f.average_days,
        _("working days"),
        "concluded",
    ),
    (
        _("Time"),
        _("90th percentile of handling time"),
        lambda f: f.p90_days,
        _("working days"),
        "concluded",
    ),
    (_("Time"), _("On-time rate of cases"), lambda f: f.on_time_rate, "%", "late"),
    (_("Time"), _("Time lost to supplements"), lambda f: f.supplement_share, "%", "supplemented"),
    (_("Time"), _("Time lost to special procedures"), lambda f: f.special_share, "%", "special"),
    (_("Time"), _("Limit reduction (承诺时限压缩比)"), lambda f: f.limit_reduction, "%", ""),
    (_("Time"), _("On-the-spot share (即办件)"), lambda f: f.instant_share, "%", "instant"),
    (
        _("Parallel licensing"),
        _("Parallel cases concluded"),
        lambda f: f.parallel_cases,
        "",
        "parallel",
    ),
    (
        _("Parallel licensing"),
        _("Elapsed (sum over cases)"),
        lambda f: f.parallel_elapsed_sum,
        _("working days"),
        "parallel",
    ),
    (
        _("Parallel licensing"),
        _("Departments' own times (sum)"),
        lambda f: f.parallel_own_sum,
        _("working days"),
        "parallel",
    ),
    (
        _("Parallel licensing"),
        _("Saved by running at once"),
        lambda f: f.parallel_gain,
        "%",
        "parallel",
    ),
    (_("Supervision"), _("Yellow cards"), lambda f: f.volumes["yellow"], "", ""),
    (_("Supervision"), _("Red cards"), lambda f: f.volumes["red"], "", ""),
    (_("Supervision"), _("Escalations"), lambda f: f.volumes["escalations"], "", ""),
    (_("Supervision"), _("Deemed approvals"), lambda f: f.volumes["deemed"], "", ""),
    (_("Supervision"), _("Returns"), lambda f: f.volumes["returns"], "", ""),
    (_("Satisfaction"), _("Ratings counted"), lambda f: f.rating_count, "", ""),
    (_("Satisfaction"), _("Satisfaction rate"), lambda f: f.satisfaction_rate, "%", ""),
    (_("Satisfaction"), _("差评 rectified on time"), lambda f: f.rectified_on_time, "%", ""),
]


def figures_table(fig: Figures) -> Table:
    table = Table(
        "figures",
        str(_("Figures")),
        [str(_("Group")), str(_("Figure")), str(_("Value")), str(_("Unit"))],
    )
    for section, label, get, unit, what in FIGURE_ROWS:
        table.rows.append([str(section), str(label), get(fig), str(unit)])
        table.links.append(f"what={what}" if what else "")
    return table


def month_label(d: date) -> str:
    return f"{d:%Y-%m}"
