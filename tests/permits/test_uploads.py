"""Upload checks: the bytes decide the type, names are made safe, storage names are generated."""

import hashlib
import io
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

from permits.uploads import (
    UploadRejected,
    check_upload,
    content_disposition,
    file_response,
    material_upload_to,
    safe_display_name,
    store_upload,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + (
    b"\x00" * 64
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

OFD_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    b"<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def close_stored_file(response) -> None:
    """Release the file a ``FileResponse`` streams from.

    Not ``response.close()``: outside a request that also sends ``request_finished``, whose
    ``close_old_connections`` handler touches the database connection a previous test left
    open, and these tests have (and need) no database access.
    """
    response.file_to_stream.close()
    assert response.file_to_stream.closed


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return buffer.getvalue()


OFD = make_zip({"OFD.xml": OFD_MANIFEST, "Doc_0/Document.xml": b"<ofd:Document/>"})

ALL_TYPES = {"accepted_types": ["pdf", "jpg", "png", "ofd"], "max_size": 1024 * 1024}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("name", "content", "file_type", "content_type"),
    [
        ("营业执照.pdf", PDF, "pdf", "application/pdf"),
        ("photo.JPG", JPEG, "jpg", "image/jpeg"),
        ("photo.jpeg", JPEG, "jpg", "image/jpeg"),
        ("scan.png", PNG, "png", "image/png"),
        ("证照.ofd", OFD, "ofd", "application/ofd"),
    ],
)
def test_accepts_real_files_and_hashes_them(name, content, file_type, content_type):
    checked = check_upload(uploaded_file=upload(name, content), requirement=ALL_TYPES)

    assert checked.file_type == file_type
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.display_name == name
    assert checked.file.tell() == 0  # rewound for saving


@pytest.mark.parametrize(
    ("name", "content", "actual"),
    [
        ("license.pdf", PNG, "PNG"),  # a PNG renamed .pdf
        ("photo.jpg", PDF, "PDF"),
        ("scan.png", JPEG, "JPG"),
        ("doc.pdf", GIF, "GIF"),
        ("doc.pdf", EXE, "EXE"),
    ],
)
def test_refuses_content_that_does_not_match_the_extension(name, content, actual):
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload(name, content), requirement=ALL_TYPES)

    assert caught.value.reason == "type_mismatch"
    message = caught.value.message
    assert actual in message
    assert "不是" in message  # Chinese by default


def test_refuses_unrecognisable_content():
    with pytest.raises(UploadRejected) as caught:
        check_upload(
            uploaded_file=upload("a.pdf", b"just some text, no header"), requirement=ALL_TYPES
        )
    assert caught.value.reason == "type_mismatch"


def test_refuses_an_extension_the_requirement_does_not_accept():
    requirement = {"accepted_types": ["pdf"], "max_size": 1024 * 1024}
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload("scan.png", PNG), requirement=requirement)

    assert caught.value.reason == "type_not_accepted"
    assert "PDF" in caught.value.message


@pytest.mark.parametrize("name", ["noextension", "archive.zip", "virus.exe", "x.pdf.exe", ".pdf"])
def test_refuses_names_without_an_accepted_extension(name):
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload(name, PDF), requirement=ALL_TYPES)
    assert caught.value.reason == "type_not_accepted"


def test_refuses_oversize_files_with_both_sizes_in_the_message():
    requirement = {"accepted_types": ["pdf"], "max_size": 100}
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload("big.pdf", PDF + b"0" * 200), requirement=requirement)

    assert caught.value.reason == "too_large"
    assert "100" in caught.value.message


def test_refuses_a_file_whose_declared_size_lies():
    requirement = {"accepted_types": ["pdf"], "max_size": 100}
    liar = upload("big.pdf", PDF + b"0" * 500)
    liar.size = 50
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=liar, requirement=requirement)
    assert caught.value.reason == "too_large"


def test_exactly_max_size_is_allowed():
    content = PDF + b"0" * (200 - len(PDF))
    checked = check_upload(
        uploaded_file=upload("ok.pdf", content),
        requirement={"accepted_types": ["pdf"], "max_size": 200},
    )
    assert checked.size == 200


def test_refuses_empty_files():
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload("empty.pdf", b""), requirement=ALL_TYPES)
    assert caught.value.reason == "empty"


def test_a_zip_without_ofd_manifest_is_not_an_ofd():
    fake = make_zip({"word/document.xml": b"<w:document/>"})
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload("fake.ofd", fake), requirement=ALL_TYPES)
    assert caught.value.reason == "type_mismatch"


def test_a_zip_whose_ofd_xml_is_not_an_ofd_root_is_refused():
    fake = make_zip({"OFD.xml": b"<html><body>not ofd</body></html>"})
    with pytest.raises(UploadRejected):
        check_upload(uploaded_file=upload("fake.ofd", fake), requirement=ALL_TYPES)


def test_an_ofd_manifest_in_a_subfolder_does_not_count():
    fake = make_zip({"nested/OFD.xml": OFD_MANIFEST})
    with pytest.raises(UploadRejected):
        check_upload(uploaded_file=upload("fake.ofd", fake), requirement=ALL_TYPES)


def test_a_truncated_zip_is_refused_without_a_crash():
    with pytest.raises(UploadRejected):
        check_upload(uploaded_file=upload("broken.ofd", OFD[:40]), requirement=ALL_TYPES)


def test_an_ofd_renamed_pdf_is_refused():
    with pytest.raises(UploadRejected) as caught:
        check_upload(uploaded_file=upload("doc.pdf", OFD), requirement=ALL_TYPES)
    assert "OFD" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("/var/www/营业执照副本.pdf", "营业执照副本.pdf"),
        ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        ("a\x00b\x07c.pdf", "abc.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),  # right-to-left override removed
        ("  ..hidden.pdf  ", "hidden.pdf"),
        ('a"b<c>|d?.pdf', "a_b_c__d_.pdf"),
        ("new\nline.pdf", "new line.pdf"),
        ("", "file"),
        ("../", "file"),
    ],
)
def test_safe_display_name(raw, expected):
    assert safe_display_name(raw) == expected


def test_safe_display_name_limits_length_and_keeps_the_extension():
    name = safe_display_name("很" * 300 + ".pdf")
    assert len(name) == 100
    assert name.endswith(".pdf")


def test_path_like_names_are_accepted_with_their_basename_and_stored_under_a_uuid():
    checked = check_upload(uploaded_file=upload("../../etc/passwd.pdf", PDF), requirement=ALL_TYPES)

    assert checked.display_name == "passwd.pdf"
    assert "/" not in checked.stored_name and ".." not in checked.stored_name
    assert checked.stored_name.endswith(".pdf")
    assert len(checked.stored_name) == 36  # 32 hex + ".pdf"


def test_upload_to_ignores_the_clients_path():
    name = material_upload_to(None, "../../../etc/cron.d/evil.png")

    assert name.startswith("materials/")
    assert "evil" not in name and ".." not in name
    assert name.endswith(".png")
    assert material_upload_to(None, "x.sh").endswith(".bin")


def test_store_and_serve_a_chinese_named_file(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    checked = check_upload(uploaded_file=upload("营业执照 副本.pdf", PDF), requirement=ALL_TYPES)
    stored = store_upload(checked, storage=storage)

    assert (tmp_path / stored).read_bytes() == PDF
    assert "营业执照" not in stored

    response = file_response(
        name=stored, display_name=checked.display_name, file_type="pdf", storage=storage
    )
    body = b"".join(response.streaming_content)
    assert body == PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.isascii()
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "营业执照 副本.pdf"
    assert 'filename="' in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    close_stored_file(response)


def test_inline_only_for_safe_types():
    assert content_disposition("a.pdf", inline=True).startswith("inline;")
    assert content_disposition('we"ird.pdf').count('"') == 2  # quotes cannot break out


def test_ofd_is_never_served_inline(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    (tmp_path / "x.ofd").write_bytes(OFD)
    response = file_response(
        name="x.ofd", display_name="证照.ofd", file_type="ofd", inline=True, storage=storage
    )
    assert response["Content-Disposition"].startswith("attachment;")
    close_stored_file(response)


def test_a_missing_stored_file_answers_404(tmp_path):
    with pytest.raises(Http404):
        file_response(
            name="gone.pdf",
            display_name="x.pdf",
            file_type="pdf",
            storage=FileSystemStorage(location=tmp_path),
        )
