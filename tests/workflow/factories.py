"""Factories for cases: regions, departments, staff, applicants and published items whose
version snapshot has the shape of API.md's item detail."""

from __future__ import annotations

import io
import itertools

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.models import Department, Level, Region, Role, ServiceCentre
from departments.services import staff_role_grant
from permits.models import (
    Enterprise,
    Handler,
    ItemDepartment,
    ItemVersion,
    MaterialRequirement,
    Person,
    ServiceItem,
)
from permits.validators import credit_code_check_char, resident_id_check_char
from tests.departments.factories import DepartmentFactory

_seq = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def image_file(name: str = "照片.jpg", kind: str = "jpg") -> SimpleUploadedFile:
    """A real 8×8 image (Pillow) of ``kind`` jpg or png, for materials that take photos."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG" if kind in ("jpg", "jpeg") else "PNG")
    content_type = "image/jpeg" if kind in ("jpg", "jpeg") else "image/png"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def resident_id(n: int) -> str:
    first17 = f"44530219900101{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(n: int) -> str:
    first17 = f"91445300MA{n % 10000000:07d}"
    return first17 + credit_code_check_char(first17)


def region(code: str = "445300", name: str = "云浮市", level=Level.CITY, parent=None) -> Region:
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return obj


def department(code: str | None = None, *, name: str | None = None, reg=None) -> Department:
    """A city department: ``DepartmentFactory``'s (its one ``dept-{n}`` sequence; two sequences
    of the same codes handed one test's department to another through get_or_create), in the
    city region unless ``reg`` is given; an existing code returns that department."""
    fields = {"level": Level.CITY, "region": reg or region()}
    if code is not None:
        fields["code"] = code
    if name is not None:
        fields["name"] = name
    return DepartmentFactory(**fields)


def user(username: str | None = None, **kwargs):
    username = username or f"wfuser{next(_seq)}"  # not "user{n}": the departments factory uses that
    return get_user_model().objects.create_user(username=username, password="pw-123456", **kwargs)


def staff(dept: Department, role: str = Role.REVIEWER, stage: str = "undertake", **kw):
    u = user(**kw)
    staff_role_grant(
        actor=None,
        user=u,
        department=dept,
        role=role,
        stage=stage if role == Role.REVIEWER else "",
    )
    return u


def supervisor(reg: Region, dept: Department):
    u = user()
    staff_role_grant(actor=None, user=u, department=dept, role=Role.SUPERVISOR, region=reg)
    return u


def citizen(username: str | None = None) -> tuple:
    n = next(_seq)
    u = user(username)
    person = Person.objects.create(
        user=u, real_name=f"张{n}", id_number=resident_id(n), phone=f"138{n:08d}"[:11]
    )
    return u, person


def enterprise(*handlers: Person, scope="all", valid_until=None) -> Enterprise:
    n = next(_seq)
    ent = Enterprise.objects.create(name=f"云浮测试企业{n}有限公司", credit_code=credit_code(n))
    for person in handlers:
        Handler.objects.create(enterprise=ent, person=person, scope=scope, valid_until=valid_until)
    return ent


def centre(reg: Region, dept: Department) -> ServiceCentre:
    obj, _ = ServiceCentre.objects.get_or_create(
        region=reg, defaults={"name": f"{reg.name}政务服务中心", "department": dept}
    )
    return obj


def published_item(
    *,
    lead: Department,
    parallel: list[Department] = (),
    stages: dict[str, list[str]] | None = None,
    service_model: str = "parallel",
    onsite_inspection: bool = False,
    materials: list[dict] | None = None,
    form_fields: list[dict] | None = None,
    code: str | None = None,
    time_limit_days: int = 5,
    consult_mode: str = "",
    dispatch: list[Department] = (),
    category: str = "licensing",
    item_settings: dict | None = None,
) -> ServiceItem:
    """A published item with a frozen version (snapshot keys item/departments/materials/
    form_fields as API.md's item detail shows them)."""
    stages = stages or {}
    n = next(_seq)
    # A core-department item consults the departments a parallel item reviews with.
    other_role = "consult" if service_model == "core_department" else "parallel"
    consult_mode = consult_mode or ("sequential" if other_role == "consult" else "")
    item = ServiceItem.objects.create(
        code=code or f"ITEM-{n:06d}",
        name=f"测试事项{n}",
        category=category,
        audience="both",
        service_model=service_model,
        region=lead.region,
        lead_department=lead,
        legal_days=20,
        promised_days=10,
        online_depth="full_online",
        onsite_inspection=onsite_inspection,
        result_name="测试许可证",
        result_validity_months=36,
        consult_mode=consult_mode,
        status="published",
    )
    deps = [(lead, "lead", 0)] + [(d, other_role, i + 1) for i, d in enumerate(parallel)]
    deps += [(d, "dispatch", i + 1) for i, d in enumerate(dispatch)]
    dep_rows = []
    for dept, role, position in deps:
        ItemDepartment.objects.create(
            item=item,
            department=dept,
            role=role,
            position=position,
            time_limit_days=time_limit_days,
            stages=stages.get(dept.code, ["undertake"]),
        )
        dep_rows.append(
            {
                "code": dept.code,
                "name": dept.name,
                "role": role,
                "position": position,
                "time_limit_days": time_limit_days,
                "time_limit_unit": "working_day",
                "stages": stages.get(dept.code, ["undertake"]),
                "timeout_policy": "escalate",
            }
        )
    material_rows = []
    for m in materials if materials is not None else [{"name": "申请书", "required": True}]:
        req = MaterialRequirement.objects.create(
            item=item,
            name=m["name"],
            required=m.get("required", True),
            tolerable=m.get("tolerable", False),
            accepted_types=m.get("accepted_types", ["pdf"]),
            max_size=m.get("max_size", 1024 * 1024),
        )
        material_rows.append(
            {
                "id": req.pk,
                "name": req.name,
                "required": req.required,
                "tolerable": req.tolerable,
                "accepted_types": req.accepted_types,
                "max_size": req.max_size,
            }
        )
    fields = (
        form_fields
        if form_fields is not None
        else [{"name": "summary", "label": "申请事由", "type": "text", "required": True}]
    )
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        snapshot={
            "item": {
                "code": item.code,
                "name": item.name,
                "service_model": service_model,
                "legal_days": 20,
                "promised_days": 10,
                "onsite_inspection": onsite_inspection,
                "result_name": "测试许可证",
                "result_validity_months": 36,
                "consult_mode": consult_mode,
                "category": category,
                **(item_settings or {}),
            },
            "departments": dep_rows,
            "materials": material_rows,
            "form_fields": fields,
        },
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    return item


def requirement_ids(item: ServiceItem) -> list[int]:
    return [m["id"] for m in item.current_version.snapshot["materials"]]


def read(f) -> bytes:
    f.seek(0)
    return f.read() if not isinstance(f, io.BytesIO) else f.getvalue()


def process_item(
    *,
    lead: Department,
    dispatch: list[Department] = (),
    category: str = "complaint",
    time_limit_days: int = 5,
    materials: list[dict] | None = None,
    item_settings: dict | None = None,
) -> ServiceItem:
    """A published process-centred item: its coordinating office (the lead) and its dispatch
    catalogue (role ``dispatch``: who usually handles it). No materials by default (a complaint
    is its form); ``item_settings`` adds keys to the snapshot's item (``max_returns`` …)."""
    return published_item(
        lead=lead,
        dispatch=dispatch,
        service_model="process_centred",
        category=category,
        materials=materials if materials is not None else [],
        form_fields=[
            {"name": "summary", "label": "诉求内容", "type": "textarea", "required": True}
        ],
        time_limit_days=time_limit_days,
        item_settings=item_settings,
    )
