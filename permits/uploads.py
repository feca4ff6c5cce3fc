"""Checking uploaded materials and serving them back.

An upload is trusted for nothing it claims: its type is sniffed from the bytes and must agree with
both the requirement's accepted types and the file's extension (a PNG renamed ``.pdf`` is
refused), its size is bounded, its client-side name is reduced to a safe display name, and it is
stored under a generated name, never the client's path. The sha256 is computed while reading.

Serving goes through the storage API (local disk or S3 alike) with a ``Content-Disposition`` that
carries Chinese names per RFC 5987/6266 and an ASCII fallback for old clients.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

import filetype
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from permits.exceptions import Invalid

# The file types the catalogue knows (permits.models.FileType), with the extensions that name
# them and the content type they are served with.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "jpg": ("jpg", "jpeg"),
    "png": ("png",),
    "ofd": ("ofd",),
}
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
}
# Types a browser shows safely inline (the preview); everything else is downloaded.
INLINE_TYPES = frozenset({"pdf", "jpg", "png"})

MAX_NAME_LENGTH = 100  # characters of the display name, extension included
SNIFF_BYTES = 8192
# OFD.xml is a small manifest; a huge one is not a real OFD (and we will not inflate it).
_OFD_MANIFEST_MAX = 1024 * 1024
_OFD_ROOT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OFD[\s>/]")
_OFD_NAMESPACE = b"http://www.ofdspec.org/2016"
# Characters Windows and most file systems refuse, plus quotes that break header values.
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\\/;]')
_SPACES = re.compile(r"\s+")


class UploadRejected(Invalid):
    """The upload was refused. ``message`` says why in the active language; ``reason`` is a
    machine word (``empty``, ``too_large``, ``type_not_accepted``, ``type_mismatch``); the API
    shows the message under ``fields.file``."""

    def __init__(self, message: str, *, reason: str) -> None:
        self.reason = reason
        super().__init__(message, fields={"file": [str(message)]})


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, ready to be saved through the storage API."""

    file: UploadedFile  # rewound to the start
    display_name: str  # safe to show and to send back in Content-Disposition
    stored_name: str  # generated "<uuid>.<type>": what the storage gets, never the client's name
    file_type: str  # the sniffed type: pdf, jpg, png or ofd
    content_type: str
    size: int
    sha256: str


def _accepted_types(requirement: Mapping[str, Any]) -> list[str]:
    types = [str(t).lower().lstrip(".") for t in (requirement.get("accepted_types") or [])]
    return [t for t in types if t in EXTENSIONS]


def _type_of_extension(extension: str) -> str | None:
    for file_type, extensions in EXTENSIONS.items():
        if extension in extensions:
            return file_type
    return None


def safe_display_name(raw_name: str | None, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """The client's file name reduced to a harmless display name.

    Drops any directory part (``../../etc/passwd.pdf`` → ``passwd.pdf``, ``C:\\x\\y.pdf`` →
    ``y.pdf``), control and format characters (including the right-to-left override that makes
    ``gpj.exe`` look like ``exe.jpg``), characters file systems refuse, leading dots and
    surrounding blanks, and shortens the stem so that the whole fits ``max_length`` with the
    extension kept.
    """
    name = unicodedata.normalize("NFC", str(raw_name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\t\r\n\v\f]", " ", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = _SPACES.sub(" ", name).strip().lstrip(".").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension.strip()[:10]
    stem = stem.strip().rstrip(".") or "file"
    room = max_length - (len(extension) + 1 if extension else 0)
    stem = stem[: max(room, 1)].rstrip()
    return f"{stem}.{extension}" if extension else stem


def _extension_of(display_name: str) -> str:
    stem, dot, extension = display_name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _is_ofd(fileobj: IO[bytes]) -> bool:
    """An OFD (GB/T 33190) is a ZIP package whose root holds the ``OFD.xml`` entry point, an
    ``ofd:OFD`` element in the ofdspec namespace. Only the central directory and the small
    manifest are read; nothing else is inflated."""
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as package:
            try:
                info = package.getinfo("OFD.xml")
            except KeyError:
                return False
            if info.is_dir() or info.file_size > _OFD_MANIFEST_MAX:
                return False
            with package.open(info) as manifest:
                head = manifest.read(4096)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError):
        return False
    finally:
        fileobj.seek(0)
    return bool(_OFD_ROOT_RE.search(head)) and _OFD_NAMESPACE in head


def sniff_type(head: bytes, fileobj: IO[bytes]) -> str | None:
    """The file's real type from its bytes: one of our types, another known type's extension
    (``zip``, ``gif``, ``exe`` …, for the error message), or None when unrecognised."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and _is_ofd(fileobj):
        return "ofd"
    kind = filetype.guess(head) if head else None
    if kind is None:
        return None
    return {"image/jpeg": "jpg", "image/png": "png"}.get(kind.mime, kind.extension)


def _type_label(file_type: str) -> str:
    return file_type.upper()


def check_upload(*, uploaded_file: UploadedFile, requirement: Mapping[str, Any]) -> CheckedUpload:
    """Check an uploaded file against a material requirement (a version snapshot's material:
    ``accepted_types``, ``max_size``). Raises :class:`UploadRejected` with a message saying what
    is wrong; returns the checked upload (sniffed type, size, sha256, safe names) otherwise."""
    accepted = _accepted_types(requirement)
    accepted_label = "、".join(_type_label(t) for t in accepted) or "—"
    max_size = int(requirement.get("max_size") or 0)

    display_name = safe_display_name(getattr(uploaded_file, "name", ""))
    size = uploaded_file.size if uploaded_file.size is not None else 0
    if size <= 0:
        raise UploadRejected(_("The file is empty."), reason="empty")
    if max_size and size > max_size:
        raise UploadRejected(
            _("The file is %(size)s; files for this material may be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_size)},
            reason="too_large",
        )

    claimed = _type_of_extension(_extension_of(display_name))
    if claimed is None or claimed not in accepted:
        raise UploadRejected(
            _("Only these file types are accepted for this material: %(types)s.")
            % {"types": accepted_label},
            reason="type_not_accepted",
        )

    uploaded_file.seek(0)
    head = uploaded_file.read(SNIFF_BYTES)
    actual = sniff_type(head, uploaded_file)
    if actual != claimed:
        if actual is None:
            message = _(
                "The file's content is not a %(type)s file: it could not be recognised. "
                "Please upload the original file."
            ) % {"type": _type_label(claimed)}
        else:
            message = _(
                "The file's content is not a %(type)s file but a %(actual)s file. Please upload "
                "a real %(type)s file (renaming a file does not convert it)."
            ) % {"type": _type_label(claimed), "actual": _type_label(actual)}
        raise UploadRejected(message, reason="type_mismatch")

    digest = hashlib.sha256()
    uploaded_file.seek(0)
    counted = 0
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        counted += len(chunk)
    uploaded_file.seek(0)
    if max_size and counted > max_size:  # the declared size lied
        raise UploadRejected(
            _("The file is %(size)s; files for this material may be at most %(max)s.")
            % {"size": filesizeformat(counted), "max": filesizeformat(max_size)},
            reason="too_large",
        )

    # Keep the sniffed type's canonical extension on the display name (".JPEG" → ".jpeg" stays
    # readable, the type is what counts).
    return CheckedUpload(
        file=uploaded_file,
        display_name=display_name,
        stored_name=generated_name(actual),
        file_type=actual,
        content_type=CONTENT_TYPES[actual],
        size=counted,
        sha256=digest.hexdigest(),
    )


def generated_name(file_type: str) -> str:
    """A fresh storage file name: a random uuid and our own extension."""
    extension = file_type if file_type in EXTENSIONS else "bin"
    return f"{uuid.uuid4().hex}.{extension}"


def material_upload_to(instance: Any, filename: str) -> str:
    """``upload_to`` for material file fields: ``materials/YYYY/MM/<uuid>.<type>``.

    Whatever name is passed in, only its (known) extension survives, so a client's path can
    never reach the storage."""
    extension = _type_of_extension(_extension_of(safe_display_name(filename))) or "bin"
    today: dt.date = timezone.localdate()
    return f"materials/{today:%Y}/{today:%m}/{generated_name(extension)}"


def store_upload(checked: CheckedUpload, *, storage: Storage | None = None) -> str:
    """Save a checked upload through the storage API and return the stored name (for callers
    that do not go through a model's FileField)."""
    storage = storage or default_storage
    return storage.save(material_upload_to(None, checked.stored_name), checked.file)


# --- Serving ---------------------------------------------------------------------------------


def _ascii_fallback(display_name: str) -> str:
    stem, dot, extension = display_name.rpartition(".")
    if not dot:
        stem, extension = display_name, ""
    ascii_stem = (
        unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii").strip()
    )
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_stem).strip(" ._") or "file"
    ascii_extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    if not ascii_stem.strip("_"):
        ascii_stem = "file"
    return f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem


def content_disposition(display_name: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266 with RFC 5987 encoding):
    the quoted ASCII fallback for old clients, the exact (Chinese) name for the rest."""
    name = safe_display_name(display_name)
    disposition = "inline" if inline else "attachment"
    return (
        f'{disposition}; filename="{_ascii_fallback(name)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )


def file_response(
    *,
    name: str,
    display_name: str,
    file_type: str,
    inline: bool = False,
    storage: Storage | None = None,
) -> FileResponse:
    """Stream a stored file (``name`` in the storage) to the client.

    ``inline`` is honoured only for types a browser shows safely (PDF and images); other types
    are always sent as attachments. Missing files answer 404 rather than a server error. The
    caller has already decided that the user may see the material."""
    storage = storage or default_storage
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    inline = inline and file_type in INLINE_TYPES
    response = FileResponse(
        handle, content_type=CONTENT_TYPES.get(file_type, "application/octet-stream")
    )
    response["Content-Disposition"] = content_disposition(display_name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def accepted_types_label(types: Iterable[str]) -> str:
    """``PDF、JPG`` — how a requirement's accepted types are shown to applicants."""
    return "、".join(_type_label(str(t).lower()) for t in types)
