"""What each notice says, built from the case (reads only). The notices are official Chinese
documents (like ``workflow.services.notices``): their wording is Chinese text, not translated.

Personal data is masked (``permits.validators``): a person applicant's name shows as 张*; an
enterprise is named in full (not personal data), its handler masked."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from departments.models import ServiceCentre
from permits.models import Application, Certificate, SupplementNotice
from permits.validators import mask_name
from workflow.documents.models import DocumentKind
from workflow.documents.pdf import Content
from workflow.services.common import REMEDY_NOTICE

TITLES = {
    DocumentKind.ACCEPTANCE_NOTICE: "受理通知书",
    DocumentKind.NOT_ACCEPTED_NOTICE: "不予受理通知书",
    DocumentKind.SUPPLEMENT_NOTICE: "一次性告知书",
    DocumentKind.TOLERANCE_COMMITMENT: "容缺受理承诺书",
    DocumentKind.DECISION_NOTICE: "行政许可决定书",
    DocumentKind.CERTIFICATE: "电子证照",
}


def site_url(path: str) -> str:
    base = str(getattr(settings, "PUBLIC_SITE_URL", "") or "http://localhost:8000").rstrip("/")
    return f"{base}{path}"


def tracking_url(app: Application) -> str:
    """The public progress page of the case (the QR code of every notice)."""
    return site_url(f"{reverse('portal:track')}?number={app.number}")


def verification_url(certificate: Certificate) -> str:
    return site_url(
        f"{reverse('portal:verify')}?number={certificate.number}"
        f"&code={certificate.verification_code}"
    )


def masked_applicant(app: Application) -> str:
    if app.applicant_enterprise_id:
        handler = app.handler.real_name if app.handler_id else ""
        suffix = f"（经办人：{mask_name(handler)}）" if handler else ""
        return f"{app.applicant_enterprise.name}{suffix}"
    if app.applicant_person_id:
        return mask_name(app.applicant_person.real_name)
    return "—"


def _day(moment) -> str:
    if not moment:
        return "—"
    return timezone.localtime(moment).strftime("%Y年%m月%d日")


def _centre(app: Application) -> ServiceCentre | None:
    if app.centre_id:
        return app.centre
    return ServiceCentre.objects.filter(region_id=app.region_id).first()


def _issuer(app: Application) -> str:
    return app.lead_department.name


def _base(app: Application, kind: str, *, date) -> Content:
    centre = _centre(app)
    centre_name = centre.name if centre else ""
    rows = [("事项名称", app.item.name), ("申请人", masked_applicant(app))]
    if centre_name:
        rows.append(("办理地点", centre_name))
    return Content(
        title=TITLES[kind],
        number=f"办件编号：{app.number}",
        addressee=f"{masked_applicant(app)}：",
        rows=rows,
        issuer=_issuer(app) + (f"\n{centre_name}" if centre_name else ""),
        date=_day(date),
        qr_url=tracking_url(app),
        qr_caption="扫码查询办理进度",
        seal_text="（电子印章）",
    )


def _accepted_by(app: Application) -> str:
    from workflow.models import CaseTask, TaskKind

    task = (
        CaseTask.objects.filter(application=app, kind=TaskKind.ACCEPTANCE, decision="approve")
        .select_related("completed_by")
        .order_by("-completed_at")
        .first()
    )
    user = getattr(task, "completed_by", None) if task else None
    if user is None:
        return "—"
    return mask_name(user.get_full_name() or user.get_username())


def _materials_received(app: Application) -> list[str]:
    rows = app.materials.current().order_by("requirement_id", "uploaded_at")
    return [f"{m.requirement_name or m.original_name}（{m.original_name}）" for m in rows]


def acceptance_notice(app: Application) -> Content:
    c = _base(app, DocumentKind.ACCEPTANCE_NOTICE, date=app.accepted_at)
    centre = _centre(app)
    c.rows += [
        ("受理时间", timezone.localtime(app.accepted_at).strftime("%Y-%m-%d %H:%M")),
        ("受理人员", _accepted_by(app)),
        ("承诺办结日期", _day(app.due_at)),
        ("咨询电话", (centre.phone if centre else "") or app.lead_department.phone or "—"),
    ]
    c.paragraphs = [
        f"您于{_day(app.submitted_at)}提交的“{app.item.name}”申请，经审查，申请材料齐全、"
        "符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
    ]
    c.items_title = "已收材料："
    c.items = _materials_received(app) or ["—"]
    tolerance = getattr(app, "tolerance", None) if hasattr(app, "tolerance") else None
    if tolerance is not None:
        c.closing.append(
            f"本件为容缺受理，容缺材料：{'、'.join(tolerance.names)}，"
            f"请于{tolerance.deadline:%Y年%m月%d日}前补交；逾期未补交的，终止办理。"
        )
    c.closing.append("请凭办件编号登录网站或扫描下方二维码查询办理进度。")
    return c


def not_accepted_notice(app: Application) -> Content:
    c = _base(app, DocumentKind.NOT_ACCEPTED_NOTICE, date=app.decided_at)
    c.paragraphs = [
        f"您于{_day(app.submitted_at)}提交的“{app.item.name}”申请，经审查，"
        "根据《中华人民共和国行政许可法》第三十二条的规定，决定不予受理。",
    ]
    c.items_title = "不予受理的理由："
    c.items = [line for line in app.not_accepted_reasons.splitlines() if line.strip()] or ["—"]
    if app.competent_agency:
        c.closing.append(f"该申请事项不属于本机关职权范围，请向{app.competent_agency}申请。")
    c.closing.append(REMEDY_NOTICE)
    return c


def _open_or_last_notice(app: Application) -> SupplementNotice | None:
    return app.supplement_notices.order_by("-requested_at", "-pk").first()


def supplement_notice(app: Application) -> Content:
    notice = _open_or_last_notice(app)
    c = _base(app, DocumentKind.SUPPLEMENT_NOTICE, date=notice.requested_at if notice else None)
    c.paragraphs = [
        f"您提交的“{app.item.name}”申请，申请材料不齐全或者不符合法定形式。根据《中华人民"
        "共和国行政许可法》第三十二条的规定，现一次性告知您需要补正的全部内容如下：",
    ]
    from workflow.spec import version_spec

    spec = version_spec(app.item_version)
    names = dict(app.materials.values_list("pk", "requirement_name"))
    items = []
    for request in (notice.requests if notice else []) or []:
        requirement = spec.material(request.get("requirement"))
        name = (
            requirement.name
            if requirement
            else names.get(request.get("material")) or "其他需补正事项"
        )
        note = request.get("note") or ""
        items.append(f"{name}{('：' + note) if note else ''}")
    c.items = items or ["—"]
    c.closing = [
        "请补正后重新提交；补正期间办理时限暂停计算，自收到补正材料之日起继续计算。",
    ]
    return c


def tolerance_commitment(app: Application) -> Content:
    tolerance = app.tolerance
    c = _base(app, DocumentKind.TOLERANCE_COMMITMENT, date=tolerance.signed_at)
    c.rows.append(("补交期限", f"{tolerance.deadline:%Y年%m月%d日}"))
    from django.utils import translation

    from workflow.tolerance.services import commitment_text

    with translation.override("zh-hans"):
        # The stored commitment names the signer in full; the printed one is masked.
        c.paragraphs = [
            commitment_text(
                applicant=masked_applicant(app),
                names=tolerance.names,
                deadline=tolerance.deadline,
                item=app.item.name,
            )
        ]
    c.items_title = "容缺材料："
    c.items = tolerance.names
    c.signature_line = (
        f"承诺人（签字）：{mask_name(tolerance.signed_by)}    日期：{_day(tolerance.signed_at)}"
    )
    return c


def decision_notice(app: Application) -> Content:
    from workflow.services.notices import denial_notice

    c = _base(app, DocumentKind.DECISION_NOTICE, date=app.decided_at)
    if app.decision == "approved":
        c.title = "准予行政许可决定书"
        cert = Certificate.objects.filter(application=app).first()
        c.paragraphs = [
            f"您申请的“{app.item.name}”，经审查，符合法定条件、标准，"
            "根据《中华人民共和国行政许可法》第三十八条的规定，决定准予行政许可。",
        ]
        if cert is not None:
            c.rows.append(("证照编号", cert.number))
        if app.decision_opinion:
            c.items_title = "审批意见："
            c.items = [app.decision_opinion]
    else:
        c.title = "不予行政许可决定书"
        c.paragraphs = [line for line in denial_notice(app).splitlines() if line.strip()]
    return c


def certificate(app: Application) -> Content:
    cert = Certificate.objects.get(application=app)
    c = _base(app, DocumentKind.CERTIFICATE, date=cert.issued_at)
    c.title = cert.type or app.item.name
    c.addressee = ""
    c.rows = [
        ("证照编号", cert.number),
        ("持证主体", mask_name(cert.holder_name) if app.applicant_person_id else cert.holder_name),
        ("事项名称", app.item.name),
        ("申请人", masked_applicant(app)),
        ("发证日期", _day(cert.issued_at)),
        ("有效期至", f"{cert.valid_until:%Y年%m月%d日}" if cert.valid_until else "长期"),
        ("核验码", cert.verification_code),
    ]
    c.paragraphs = ["本电子证照与纸质证照具有同等法律效力。扫描二维码可核验真伪。"]
    c.qr_url = verification_url(cert)
    c.qr_caption = "扫码核验证照"
    return c


BUILDERS = {
    DocumentKind.ACCEPTANCE_NOTICE: acceptance_notice,
    DocumentKind.NOT_ACCEPTED_NOTICE: not_accepted_notice,
    DocumentKind.SUPPLEMENT_NOTICE: supplement_notice,
    DocumentKind.TOLERANCE_COMMITMENT: tolerance_commitment,
    DocumentKind.DECISION_NOTICE: decision_notice,
    DocumentKind.CERTIFICATE: certificate,
}


def available_kinds(app: Application) -> list[str]:
    """The notices the case has reached, in the order they arise."""
    kinds: list[str] = []
    if app.accepted_at:
        kinds.append(DocumentKind.ACCEPTANCE_NOTICE)
    from workflow.tolerance.models import Tolerance

    if Tolerance.objects.filter(application_id=app.pk).exists():
        kinds.append(DocumentKind.TOLERANCE_COMMITMENT)
    if app.supplement_notices.exists():
        kinds.append(DocumentKind.SUPPLEMENT_NOTICE)
    if app.status == "not_accepted" or app.not_accepted_reasons:
        kinds.append(DocumentKind.NOT_ACCEPTED_NOTICE)
    if app.decision:
        kinds.append(DocumentKind.DECISION_NOTICE)
    if app.decision == "approved" and Certificate.objects.filter(application=app).exists():
        kinds.append(DocumentKind.CERTIFICATE)
    return kinds
