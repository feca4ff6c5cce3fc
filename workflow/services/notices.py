"""The texts a decided case states: the 不予受理 (第三十二条) and 不予许可 (第三十八条) notices
with their reasons and the remedy, and every department's reasons (what the lead sees at the
decision). Reads only."""

from __future__ import annotations

from permits.models import (
    Application,
    ApplicationDepartment,
    ParticipationRole,
    ParticipationStatus,
)
from workflow.services.common import REMEDY_NOTICE


def denial_notice(app: Application) -> str:
    """不予许可 (第三十八条): the reasons, every denying department's opinion, and the remedy."""
    lines = [
        f"不予许可决定：{app.item.name}（办件编号 {app.number}）。",
        f"理由：{app.decision_opinion}",
    ]
    denied = ApplicationDepartment.objects.filter(
        application=app,
        status=ParticipationStatus.DENIED,
        role__in=(ParticipationRole.PARALLEL, ParticipationRole.CONSULT),
    ).select_related("department")
    for row in denied:
        lines.append(f"{row.department.name}意见：{row.opinion}")
    lines.append(REMEDY_NOTICE)
    return "\n".join(lines)


def not_accepted_notice(app: Application) -> str:
    """不予受理 (第三十二条): the reasons, the competent agency where it belongs elsewhere, the
    remedy."""
    lines = [
        f"不予受理通知：{app.item.name}（办件编号 {app.number}）。",
        f"理由：{app.not_accepted_reasons}",
    ]
    if app.competent_agency:
        lines.append(f"该事项不属于本机关职权范围，请向{app.competent_agency}申请。")
    lines.append(REMEDY_NOTICE)
    return "\n".join(lines)


def department_reasons(app: Application) -> list[dict]:
    """Every department's status and opinion (what the lead sees at the decision)."""
    return [
        {
            "department": row.department.name,
            "role": row.role,
            "round": row.round,
            "status": row.status,
            "opinion": row.opinion,
        }
        for row in app.participations.select_related("department")
    ]
