"""scripts/compilemessages.py (used by make when GNU gettext is missing) matches msgfmt."""

import gettext
import importlib.util
import shutil
import subprocess
import textwrap

import pytest
from django.conf import settings

spec = importlib.util.spec_from_file_location(
    "compilemessages", settings.BASE_DIR / "scripts" / "compilemessages.py"
)
compilemessages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compilemessages)

SAMPLE = textwrap.dedent(
    r"""
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\n"
    "Plural-Forms: nplurals=1; plural=0;\n"

    #: portal/views.py:1
    msgid "Search"
    msgstr "搜索"

    msgid ""
    "A long message "
    "on two lines"
    msgstr "跨两行的"
    "长消息"

    msgctxt "case status"
    msgid "Accepted"
    msgstr "已受理"

    msgid "Accepted"
    msgstr "接受"

    msgid "%(count)s item"
    msgid_plural "%(count)s items"
    msgstr[0] "%(count)s 个事项"

    #, fuzzy
    msgid "Unsure"
    msgstr "不确定"

    msgid "Untranslated"
    msgstr ""

    msgid "Quote \"this\"\tand tab"
    msgstr "引号“这个”"

    #~ msgid "Obsolete"
    #~ msgstr "过时"
    """
)


def load(mo_path):
    with open(mo_path, "rb") as handle:
        return gettext.GNUTranslations(handle)


def test_the_fallback_compiler_follows_gettext_rules(tmp_path):
    mo = tmp_path / "django.mo"
    compilemessages.write_mo(compilemessages.parse_po(SAMPLE), mo)
    catalog = load(mo)

    assert catalog.gettext("Search") == "搜索"
    assert catalog.gettext("A long message on two lines") == "跨两行的长消息"
    assert catalog.pgettext("case status", "Accepted") == "已受理"
    assert catalog.gettext("Accepted") == "接受"
    assert catalog.ngettext("%(count)s item", "%(count)s items", 5) == "%(count)s 个事项"
    assert catalog.gettext("Unsure") == "Unsure"  # fuzzy entries are left out
    assert catalog.gettext("Untranslated") == "Untranslated"
    assert catalog.gettext('Quote "this"\tand tab') == "引号“这个”"
    assert catalog.gettext("Obsolete") == "Obsolete"
    assert catalog.info()["plural-forms"] == "nplurals=1; plural=0;"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_the_fallback_compiler_equals_msgfmt_on_the_project_catalogues(tmp_path):
    po_files = list(compilemessages.po_files(settings.BASE_DIR)) or []
    po_files.append(tmp_path / "sample.po")
    po_files[-1].write_text(SAMPLE, encoding="utf-8")
    for po in po_files:
        ours, theirs = tmp_path / "ours.mo", tmp_path / "theirs.mo"
        compilemessages.write_mo(compilemessages.parse_po(po.read_text(encoding="utf-8")), ours)
        subprocess.run(["msgfmt", "-o", str(theirs), str(po)], check=True)

        assert load(ours)._catalog == load(theirs)._catalog, po
