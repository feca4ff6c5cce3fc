"""Drawing a notice as an A4 PDF with reportlab: an embedded TrueType CJK font (Debian's
``fonts-wqy-zenhei``: reportlab cannot read ``fonts-noto-cjk``'s CFF outlines), so the text is
real, extractable text; a QR code (reportlab's own widget) to the public progress page (or, on
a certificate, to its verification); the centre's name, the date, and a seal placeholder where
a real e-seal would go.

``render(content)`` takes a ``Content`` (built from the case by ``workflow.documents.content``)
and returns the PDF bytes. Nothing here reads the database."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.conf import settings
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "WenQuanYiZenHei"
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@dataclass
class Content:
    """What one notice says. ``rows`` are (label, value) pairs under the heading;
    ``paragraphs`` the running text; ``items`` a numbered list (materials, reasons)."""

    title: str
    number: str
    addressee: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    items_title: str = ""
    items: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    issuer: str = ""
    date: str = ""
    qr_url: str = ""
    qr_caption: str = ""
    seal_text: str = ""
    signature_line: str = ""


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = getattr(settings, "PDF_CJK_FONT", "") or DEFAULT_FONT_PATH
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def _wrap(text: str, *, font: str, size: float, width: float) -> list[str]:
    """Break Chinese (and mixed) text into lines that fit ``width``: character by character,
    since Chinese has no spaces to break at."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for char in paragraph:
            if pdfmetrics.stringWidth(line + char, font, size) > width and line:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    return lines


class _Writer:
    def __init__(self, c: canvas.Canvas, font: str) -> None:
        self.c, self.font = c, font
        self.left, self.right = 25 * mm, A4[0] - 25 * mm
        self.y = A4[1] - 30 * mm

    @property
    def width(self) -> float:
        return self.right - self.left

    def text(self, text: str, *, size: float = 11, indent: float = 0, leading: float = 1.6):
        for line in _wrap(text, font=self.font, size=size, width=self.width - indent):
            if self.y < 40 * mm:
                self.c.showPage()
                self.y = A4[1] - 25 * mm
            self.c.setFont(self.font, size)
            self.c.drawString(self.left + indent, self.y, line)
            self.y -= size * leading

    def gap(self, points: float = 6) -> None:
        self.y -= points


def _qr(c: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def _seal(c: canvas.Canvas, font: str, *, x: float, y: float, text: str) -> None:
    """A dashed circle where the e-seal goes (电子印章 placeholder)."""
    red = Color(0.8, 0.1, 0.1)
    c.saveState()
    c.setStrokeColor(red)
    c.setFillColor(red)
    c.setDash(3, 2)
    c.circle(x, y, 19 * mm, stroke=1, fill=0)
    c.setFont(font, 8)
    c.drawCentredString(x, y - 1.5 * mm, text)
    c.restoreState()


def render(content: Content) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f"{content.title} {content.number}")
    c.setAuthor(content.issuer)
    c.setFillColor(black)
    w = _Writer(c, font)
    c.setFont(font, 20)
    c.drawCentredString(A4[0] / 2, w.y, content.title)
    w.y -= 10 * mm
    c.setFont(font, 10)
    c.drawRightString(w.right, w.y, content.number)
    w.y -= 10 * mm
    if content.addressee:
        w.text(content.addressee, size=12)
        w.gap()
    for label, value in content.rows:
        w.text(f"{label}：{value}", size=11)
    if content.rows:
        w.gap()
    for paragraph in content.paragraphs:
        w.text(paragraph, size=11, indent=0)
        w.gap(2)
    if content.items:
        w.gap(2)
        if content.items_title:
            w.text(content.items_title, size=11)
        for i, item in enumerate(content.items, start=1):
            w.text(f"{i}. {item}", size=11, indent=6 * mm)
        w.gap()
    for paragraph in content.closing:
        w.text(paragraph, size=11)
        w.gap(2)
    if content.signature_line:
        w.gap(8)
        w.text(content.signature_line, size=11)
    # The issuer, the date and the seal at the lower right; the QR code at the lower left.
    bottom = min(w.y - 10 * mm, 80 * mm)
    if bottom < 45 * mm:
        c.showPage()
        bottom = A4[1] - 80 * mm
    c.setFont(font, 12)
    lines = [line for line in content.issuer.split("\n") if line] + [content.date]
    for i, line in enumerate(lines):
        c.drawRightString(w.right, bottom - i * 7 * mm, line)
    if content.seal_text:
        _seal(c, font, x=w.right - 25 * mm, y=bottom + 2 * mm, text=content.seal_text)
    if content.qr_url:
        _qr(c, content.qr_url, x=w.left, y=bottom - 30 * mm, size=35 * mm)
        c.setFont(font, 8)
        c.drawString(w.left, bottom - 34 * mm, content.qr_caption)
    c.showPage()
    c.save()
    return buffer.getvalue()
