"""Known vulnerabilities of the pinned dependencies, honest when it cannot look (issue 12 item 9).

    python scripts/vuln_audit.py [requirements file ...]     (default: requirements-dev.txt)

Runs ``pip-audit`` on the hashed requirement files (no install: ``--disable-pip --no-deps``,
every transitive dependency is pinned there) against PyPI's vulnerability data, then OSV's, and
reads its JSON report instead of its closing line: ``pip-audit`` says "No known vulnerabilities
found" even when it could not look a single package up (each one then carries a
``skip_reason``, e.g. "Dependency not found on PyPI"), which is what it says on a machine
without the vulnerability service.

Exit status and the first line printed:

* 0 ``measured: no known vulnerabilities in N dependencies`` — every dependency was checked;
* 1 ``VULNERABLE: ...`` — at least one known vulnerability (with the ids and fixed versions);
* 3 ``UNMEASURED: ...`` — the check could not be made for some or all dependencies (no
  service reached, pip-audit missing or failing). Never reported as "none found".
"""

from __future__ import annotations

import json

# bandit B404: runs pip-audit with a fixed argument list, never a shell
import subprocess  # nosec B404
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("pypi", "osv")
MEASURED, VULNERABLE, UNMEASURED = 0, 1, 3


@dataclass
class Report:
    service: str
    checked: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    vulns: dict[str, list[dict]] = field(default_factory=dict)
    error: str = ""


def parse(service: str, data: dict) -> Report:
    """A report from pip-audit's JSON (dependencies with ``vulns`` or a ``skip_reason``)."""
    report = Report(service=service)
    for dep in data.get("dependencies") or []:
        name = f"{dep.get('name')}=={dep.get('version', '?')}"
        if dep.get("skip_reason"):
            report.skipped[name] = str(dep["skip_reason"])
            continue
        report.checked.append(name)
        if dep.get("vulns"):
            report.vulns[name] = list(dep["vulns"])
    if not report.checked and not report.skipped:
        report.error = "pip-audit reported no dependencies at all"
    return report


def run_pip_audit(service: str, files: list[str]) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps"]
        for f in files:
            cmd += ["-r", f]
        cmd += ["-s", service, "-f", "json", "-o", str(out), "--progress-spinner", "off"]
        try:
            # bandit B603: this interpreter's pip-audit, a fixed argument list, no shell
            proc = subprocess.run(  # nosec B603
                cmd, cwd=ROOT, capture_output=True, text=True, timeout=600
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Report(service=service, error=f"pip-audit did not run: {exc}")
        if not out.exists():
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-3:]
            return Report(service=service, error="pip-audit gave no report: " + " / ".join(tail))
        try:
            return parse(service, json.loads(out.read_text() or "{}"))
        except ValueError as exc:
            return Report(service=service, error=f"pip-audit's report is not JSON: {exc}")


def verdict(reports: list[Report]) -> tuple[int, list[str]]:
    """The exit status and the lines to print, from the reports of each service tried: the
    best-measured report counts; a dependency checked by no service makes it unmeasured."""
    usable = [r for r in reports if not r.error]
    if not usable:
        lines = ["UNMEASURED: no vulnerability service could be asked; nothing was checked."]
        lines += [f"  {r.service}: {r.error}" for r in reports]
        return UNMEASURED, lines
    best = max(usable, key=lambda r: len(r.checked))
    vulns: dict[str, list[dict]] = {}
    for r in usable:
        for name, found in r.vulns.items():
            vulns.setdefault(name, []).extend(found)
    checked = set().union(*(set(r.checked) for r in usable))
    unchecked = sorted(set(best.skipped) - checked)
    lines: list[str] = []
    status = MEASURED
    if vulns:
        status = VULNERABLE
        lines.append(f"VULNERABLE: known vulnerabilities in {len(vulns)} dependencies")
        for name, found in sorted(vulns.items()):
            for v in found:
                fixes = ", ".join(v.get("fix_versions") or []) or "no fixed version"
                lines.append(f"  {name}: {v.get('id')} (fixed in {fixes})")
    if unchecked:
        if status == MEASURED:
            status = UNMEASURED
        total = len(checked) + len(unchecked)
        lines.append(
            f"UNMEASURED: {len(unchecked)} of {total} dependencies could not be checked "
            f"(services tried: {', '.join(r.service for r in reports)}); their vulnerabilities "
            "are unknown, not absent."
        )
        reasons = sorted({best.skipped[n] for n in unchecked})[:3]
        lines += [f"  e.g. {reason}" for reason in reasons]
        lines += [f"  {r.service}: {r.error}" for r in reports if r.error]
    if status == MEASURED:
        lines.append(
            f"measured: no known vulnerabilities in {len(checked)} dependencies "
            f"({', '.join(r.service for r in usable)})"
        )
    return status, lines


def main(argv: list[str]) -> int:
    files = argv or ["requirements-dev.txt"]
    reports: list[Report] = []
    for service in SERVICES:
        report = run_pip_audit(service, files)
        reports.append(report)
        if not report.error and not report.skipped:
            break  # everything measured: no need to ask the next service
    status, lines = verdict(reports)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
