"""Compile every project .po file to .mo without GNU gettext.

    .venv/bin/python scripts/compilemessages.py

``make`` uses Django's ``compilemessages`` when ``msgfmt`` is installed and this script when it
is not, so a fresh machine needs nothing but Python. It follows msgfmt: fuzzy entries are left
out (but a fuzzy header is kept), ``msgctxt`` becomes ``context\\x04msgid``, plural forms are
joined with NUL; the .mo is written only when the .po is newer.
"""

from __future__ import annotations

import array
import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "var", "node_modules", ".git", "test-artifacts"}


def _literal(token: str) -> str:
    # PO strings use C escapes (\n, \t, \", \\), which Python string literals share.
    return ast.literal_eval(token)


def parse_po(text: str) -> dict[bytes, bytes]:
    """Return {msgid: msgstr} as msgfmt would store them (UTF-8 bytes)."""
    entries: list[dict] = []
    current: dict | None = None
    fuzzy_pending = False
    key = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            flags = [flag.strip() for flag in line[2:].split(",")] if line.startswith("#,") else []
            fuzzy_pending = fuzzy_pending or "fuzzy" in flags
            continue  # comments, references, flags and obsolete (#~) entries
        if not line:
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"string without a keyword: {raw!r}")
            current[key] += _literal(line)
            continue
        key, _, rest = line.partition(" ")
        starts_entry = key in ("msgctxt", "msgid")
        if starts_entry and (current is None or any(k.startswith("msgstr") for k in current)):
            current = {"fuzzy": fuzzy_pending}
            fuzzy_pending = False
            entries.append(current)
        if current is None:
            raise ValueError(f"{key} before any msgid: {raw!r}")
        current[key] = _literal(rest.strip())

    messages: dict[bytes, bytes] = {}
    for entry in entries:
        msgid = entry["msgid"]
        if "msgid_plural" in entry:
            msgid += "\0" + entry["msgid_plural"]
            forms = []
            while f"msgstr[{len(forms)}]" in entry:
                forms.append(entry[f"msgstr[{len(forms)}]"])
            msgstr = "\0".join(forms)
        else:
            msgstr = entry.get("msgstr", "")
        if "msgctxt" in entry:
            msgid = entry["msgctxt"] + "\x04" + msgid
        # msgfmt leaves out untranslated and fuzzy entries, but keeps the header (msgid "").
        if not msgstr.replace("\0", "") or (entry["fuzzy"] and msgid != ""):
            continue
        if msgid == "":
            # msgfmt drops this header line, which changes on every makemessages run.
            msgstr = "".join(
                line
                for line in msgstr.splitlines(keepends=True)
                if not line.startswith("POT-Creation-Date:")
            )
        messages[msgid.encode()] = msgstr.encode()
    return messages


def write_mo(messages: dict[bytes, bytes], path: Path) -> None:
    """The GNU .mo layout: header, two index tables, then the strings (no hash table)."""
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    output += array.array("i", koffsets).tobytes()
    output += array.array("i", voffsets).tobytes()
    output += ids + strs
    path.write_bytes(output)


def po_files(root: Path):
    for path in sorted(root.rglob("*.po")):
        parts = set(path.relative_to(root).parts)
        if parts & SKIP_DIRS or "LC_MESSAGES" not in parts:
            continue
        yield path


def main() -> int:
    compiled = 0
    for po in po_files(ROOT):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        write_mo(parse_po(po.read_text(encoding="utf-8")), mo)
        compiled += 1
    print(f"compilemessages.py: {compiled} catalogue(s) compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
