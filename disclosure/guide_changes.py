"""办事指南变更: a public note each time an item's guide changes.

``permits`` sends ``item_version_published`` when publishing froze a new version (publishing an
unchanged item sends nothing). The note is written in that transaction and published at once:
the catalogue administrator's publication of the item was the reviewed act, and the guide on the
portal already shows the new version. What changed is read from the two frozen snapshots.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from disclosure.models import Article, ArticleLog, Kind, State

# Guide fields a citizen recognises, with the Chinese label the note uses (item content is
# official Chinese text, DESIGN.md §5, so the note is written in Chinese).
GUIDE_FIELDS = {
    "name": "事项名称",
    "legal_days": "法定办结时限",
    "promised_days": "承诺办结时限",
    "online_depth": "网上办理深度",
    "fees": "收费标准",
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "procedure": "办理流程",
    "result_name": "审批结果",
    "enquiry_phone": "咨询电话",
    "service_location": "办理地点",
    "service_hours": "办理时间",
}


def _names(snapshot: dict, key: str) -> list[str]:
    return [row.get("name", "") for row in snapshot.get(key) or []]


def change_lines(old: dict | None, new: dict) -> list[str]:
    """What a reader of the guide sees changed between two snapshots, one line each."""
    if not old:
        return ["新增事项，办事指南首次发布。"]
    lines = []
    old_item, new_item = old.get("item") or {}, new.get("item") or {}
    for key, label in GUIDE_FIELDS.items():
        if old_item.get(key) != new_item.get(key):
            if key in ("legal_days", "promised_days"):
                lines.append(
                    f"{label}：{old_item.get(key)} 个工作日 → {new_item.get(key)} 个工作日"
                )
            else:
                lines.append(f"{label}已调整。")
    old_materials, new_materials = _names(old, "materials"), _names(new, "materials")
    lines += [f"新增申请材料：{n}" for n in new_materials if n not in old_materials]
    lines += [f"取消申请材料：{n}" for n in old_materials if n not in new_materials]
    if [m for m in old.get("materials") or [] if m.get("name") in new_materials] != [
        m for m in new.get("materials") or [] if m.get("name") in old_materials
    ]:
        lines.append("申请材料要求已调整。")
    old_departments, new_departments = _names(old, "departments"), _names(new, "departments")
    lines += [f"新增办理部门：{n}" for n in new_departments if n not in old_departments]
    lines += [f"不再参与办理：{n}" for n in old_departments if n not in new_departments]
    if old.get("form_fields") != new.get("form_fields"):
        lines.append("申请表内容已调整。")
    return lines or ["办事指南已更新。"]


def version_published(*, version: Any, previous: Any = None, actor: Any = None, **_: Any) -> None:
    """The receiver of ``permits.signals.item_version_published``."""
    snapshot = version.snapshot or {}
    item_entry = snapshot.get("item") or {}
    name = item_entry.get("name") or version.item.name
    lines = change_lines(previous.snapshot if previous is not None else None, snapshot)
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    article = Article.objects.create(
        kind=Kind.GUIDE_CHANGE,
        title=f"{name}办事指南变更（第{version.number}版）",
        summary=lines[0][:500],
        body="\n".join(lines),
        item=version.item,
        item_version=version,
        state=State.PUBLISHED,
        created_by=user,
        published_by=user,
        published_at=now,
        issuer=version.item.lead_department.name if version.item.lead_department_id else "",
    )
    ArticleLog.objects.create(
        article=article,
        action="published",
        state_after=State.PUBLISHED,
        actor=user,
        note=f"item version {version.number}",
        at=now,
    )
