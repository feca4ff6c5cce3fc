"""One word, one meaning: every Chinese catalogue of the project agrees with the others and with
the glossary (shared/GLOSSARY.md), and none leaves a string untranslated.

Each app keeps its own ``<app>/locale/zh_Hans/LC_MESSAGES/django.po`` and the project's strings
live in ``locale/``; Django merges them at run time, so the same msgid translated two ways shows
the user two words for one thing, depending on which app happened to say it. A fuzzy entry is
not used at all (the user sees English), and neither is an empty one.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "var", "node_modules", "test-artifacts", ".git", "staticfiles"}


def project_catalogues() -> list[Path]:
    return sorted(
        path
        for path in BASE_DIR.glob("**/locale/*/LC_MESSAGES/django.po")
        if not SKIP_DIRS.intersection(path.relative_to(BASE_DIR).parts)
    )


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: str | None = None

    def finish() -> None:
        if current is not None and (current.msgid or current.msgctxt):
            entries.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if last is not None and last.startswith("msgstr"):
                finish()
                current, last = None, None
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, value = match.group(1), ast.literal_eval(match.group(2))
            if keyword in ("msgctxt", "msgid") and last is not None and last.startswith("msgstr"):
                finish()
                current = None
            if current is None:
                current = Entry(line=number)
            if keyword.startswith("msgstr"):
                current.msgstrs.append(value)
            else:
                setattr(current, keyword, value)
            last = keyword
        elif line.startswith('"') and current is not None and last is not None:
            value = ast.literal_eval(line)
            if last.startswith("msgstr"):
                current.msgstrs[-1] += value
            else:
                setattr(current, last, getattr(current, last) + value)
    finish()
    return entries


CATALOGUES = project_catalogues()
CATALOGUE_IDS = [str(path.relative_to(BASE_DIR)) for path in CATALOGUES]


def where(path: Path, entry: Entry) -> str:
    return f"{path.relative_to(BASE_DIR)}:{entry.line}"


# The glossary's official Chinese for its key terms: an msgid matching the pattern must be
# translated with one of ``required`` (when given) and never with any of ``forbidden``.
GLOSSARY_RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (r"calendar days?", ("自然日",), ("日历日",)),
    (r"\bworking days?\b", ("工作日",), ()),
    (r"\bsupplement", ("补正",), ()),
    (r"one-time (complete )?notice", ("一次性告知",), ()),
    (r"tolerance acceptance", ("容缺受理",), ()),
    (r"lead department", ("牵头部门",), ("主办部门",)),
    (r"participating department", ("协办部门",), ()),
    (r"consultation", ("征求意见",), ("咨询",)),
    (r"\benquir(y|ies)\b", (), ("征求意见",)),
    (r"on-site inspection", ("现场核查",), ()),
    (r"promised (time )?limit", ("承诺办结时限", "承诺时限"), ()),
    (r"legal (time )?limit", ("法定办结时限", "法定时限"), ()),
    (r"special procedure", ("特别程序",), ()),
    (r"\bextension", ("延期",), ()),
    (r"\byellow (warning|card)", ("黄牌",), ()),
    (r"\bred (warning|card)", ("红牌",), ()),
    (r"deemed approv", ("逾期视为同意",), ()),
    (r"certificate", ("证照", "发证", "持证"), ("证书",)),
    (r"\bhand(ing)?[- ]over\b", ("出件",), ()),
    (r"\bnot accepted\b", ("不予受理",), ()),
    (r"\bacceptance\b", ("受理",), ()),
    (r"(?<!government )service centres?\b", ("行政服务中心",), ()),
    (r"credit code", ("统一社会信用代码",), ()),
    (r"\bhandlers?\b", ("经办人",), ()),
    (r"application number", ("办件编号",), ()),
    (r"\bcases?\b", (), ("案件",)),
    (r"\bdispatch", ("分拨", "派单"), ()),
]


@pytest.mark.parametrize("path", CATALOGUES, ids=CATALOGUE_IDS)
def test_no_fuzzy_or_untranslated_entry(path):
    entries = parse_po(path)
    assert entries, f"{path} has no entries: is the parser reading it?"
    problems = [
        f"{where(path, entry)}: {'fuzzy' if 'fuzzy' in entry.flags else 'empty'} {entry.msgid!r}"
        for entry in entries
        if "fuzzy" in entry.flags or not all(entry.msgstrs)
    ]
    assert not problems, "untranslated (Chinese users would see English):\n" + "\n".join(problems)


def test_the_same_msgid_is_translated_the_same_everywhere():
    assert len(CATALOGUES) >= 2
    translations: dict[tuple, dict[tuple[str, ...], list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in CATALOGUES:
        for entry in parse_po(path):
            if "fuzzy" in entry.flags or not all(entry.msgstrs):
                continue  # reported by test_no_fuzzy_or_untranslated_entry
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            translations[key][tuple(entry.msgstrs)].append(where(path, entry))
    disagreements = [
        f"{key[1]!r}: " + "; ".join(f"{'/'.join(s)} ({', '.join(w)})" for s, w in variants.items())
        for key, variants in translations.items()
        if len(variants) > 1
    ]
    assert not disagreements, "one msgid, several Chinese words:\n" + "\n".join(disagreements)


@pytest.mark.parametrize("path", CATALOGUES, ids=CATALOGUE_IDS)
def test_key_terms_use_the_glossary_chinese(path):
    problems = []
    for entry in parse_po(path):
        english = " ".join(filter(None, (entry.msgid, entry.msgid_plural)))
        for pattern, required, forbidden in GLOSSARY_RULES:
            if not re.search(pattern, english, re.IGNORECASE):
                continue
            for chinese in filter(None, entry.msgstrs):
                if required and not any(term in chinese for term in required):
                    problems.append(
                        f"{where(path, entry)}: {entry.msgid!r} → {chinese!r} "
                        f"lacks {' / '.join(required)}"
                    )
                problems.extend(
                    f"{where(path, entry)}: {entry.msgid!r} → {chinese!r} uses {term!r}"
                    for term in forbidden
                    if term in chinese
                )
    assert not problems, "the glossary's Chinese is not used:\n" + "\n".join(problems)


def test_the_parser_reads_plurals_contexts_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\n#| msgid "old"\nmsgid "x %(n)s"\nmsgstr "旧"\n\n'
        'msgctxt "ctx"\nmsgid ""\n"long "\n"text"\nmsgid_plural "texts"\n'
        'msgstr[0] "长"\n"文本"\n\n'
        '#~ msgid "gone"\n#~ msgstr "删"\n',
        encoding="utf-8",
    )
    first, second = parse_po(po)
    assert first.msgid == "x %(n)s" and first.flags == {"fuzzy", "python-format"}
    assert first.msgstrs == ["旧"]
    assert (second.msgctxt, second.msgid, second.msgid_plural) == ("ctx", "long text", "texts")
    assert second.msgstrs == ["长文本"] and not second.flags


_TEMPLATE_LITERAL = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')(?:\s+(?:noop|as\s+\w+))?\s*%\}"""
)


def test_every_translated_template_literal_is_in_a_catalogue():
    """``{% translate "…" %}`` strings of every template have a Chinese entry somewhere (an app
    without a locale/ folder, or a template never run through makemessages, shows English)."""
    known = {entry.msgid for path in CATALOGUES for entry in parse_po(path)}
    templates = [
        path
        for path in BASE_DIR.glob("**/templates/**/*.html")
        if not SKIP_DIRS.intersection(path.relative_to(BASE_DIR).parts)
    ]
    assert templates
    missing = sorted(
        {
            f"{path.relative_to(BASE_DIR)}: {(match.group(1) or match.group(2))!r}"
            for path in templates
            for match in _TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8"))
            if (match.group(1) or match.group(2)) not in known
        }
    )
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)
