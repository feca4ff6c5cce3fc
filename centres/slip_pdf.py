"""The ticket slip as a PDF (issue 10 item 5's 排队凭条), drawn by the notices' own renderer
(``workflow.documents.pdf.render``: the embedded CJK font, the QR code, the layout): the
centre's name, the ticket number, the item and its category, the window, the time taken, how
many wait before it, and the QR code of the visit's rating link (一次一评) with the line saying
it is usable once the visit is finished. Like the notices it is an official Chinese text, not
translated. Reached from the slip page ("打印") with the slip's signed token; nothing is
stored (a slip is printed once at the kiosk)."""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from centres import selectors, visits
from centres.models import Ticket
from centres.views import SLIP_SALT, _centre
from permits.choices import Category
from workflow.documents.pdf import Content, render

RATING_CAPTION = "扫码评价本次办事（办理结束后可用）"


def slip_token(ticket: Ticket) -> str:
    return signing.dumps(ticket.pk, salt=SLIP_SALT)


def slip_pdf_path(ticket: Ticket) -> str:
    return reverse("centres:slip_pdf", args=[ticket.centre.region.code, slip_token(ticket)])


def slip_content(ticket: Ticket, *, rating_url: str) -> Content:
    """What the slip says (reads the ticket's own rows only)."""
    window = (
        f"{ticket.window.number}号窗口（{ticket.window.name}）"
        if ticket.window_id
        else "请留意叫号，等候分配窗口"
    )
    priority = f"（优先：{ticket.get_priority_reason_display()}）" if ticket.priority else ""
    return Content(
        title="排队凭条",
        number=ticket.code,
        addressee=f"{ticket.centre.name}　{ticket.code}{priority}",
        rows=[
            ("排队号", ticket.code),
            ("办理事项", ticket.item.name),
            ("事项类别", str(Category(ticket.category).label) if ticket.category else "—"),
            ("办理窗口", window),
            ("取号时间", timezone.localtime(ticket.issued_at).strftime("%Y年%m月%d日 %H:%M")),
            ("前面等候", f"{selectors.ahead_of(ticket)}人"),
        ],
        paragraphs=[
            "请留意大厅显示屏和语音叫号，叫号未到视为过号。",
            "办理结束后，可扫描下方二维码对本次窗口服务进行评价（一次一评）。",
        ],
        issuer=ticket.centre.name,
        date=timezone.localtime(ticket.issued_at).strftime("%Y年%m月%d日"),
        qr_url=rating_url,
        qr_caption=RATING_CAPTION,
    )


@require_GET
def slip_pdf(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The slip's PDF, for whoever holds the slip's signed link (a day, like the slip page)."""
    centre = _centre(code)
    try:
        pk = signing.loads(token, salt=SLIP_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    ticket = (
        Ticket.objects.select_related("item", "window", "centre__region")
        .filter(pk=pk, centre=centre)
        .first()
    )
    if ticket is None:
        raise Http404
    rating_url = visits.rating_url(ticket)
    if rating_url.startswith("/"):  # no RATING_LINK_BASE_URL: the address the kiosk is on
        rating_url = request.build_absolute_uri(rating_url)
    response = HttpResponse(render(slip_content(ticket, rating_url=rating_url)))
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = f'inline; filename="ticket-{ticket.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
