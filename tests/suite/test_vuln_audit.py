"""scripts/vuln_audit.py (issue 12 item 9): a check that could not look never says "none"."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vuln_audit.py"
spec = importlib.util.spec_from_file_location("vuln_audit", SCRIPT)
vuln_audit = importlib.util.module_from_spec(spec)
sys.modules["vuln_audit"] = vuln_audit  # dataclasses look their module up there
spec.loader.exec_module(vuln_audit)

SKIPPED = {  # what pip-audit writes on a machine without the vulnerability service
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]
}


def _says_none(lines):
    return any("no known vulnerabilities" in line.lower() for line in lines)


def test_nothing_looked_up_is_unmeasured_not_clean():
    status, lines = vuln_audit.verdict([vuln_audit.parse("pypi", SKIPPED)])
    assert status == vuln_audit.UNMEASURED == 3
    assert lines[0].startswith("UNMEASURED: 2 of 2") and not _says_none(lines)


def test_no_service_reached_is_unmeasured():
    reports = [vuln_audit.Report(service=s, error="connection refused") for s in ("pypi", "osv")]
    status, lines = vuln_audit.verdict(reports)
    assert status == 3 and lines[0].startswith("UNMEASURED") and not _says_none(lines)


def test_a_partial_check_is_unmeasured_and_a_second_service_fills_the_gaps():
    partial = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "celery", "version": "5.7.0", "skip_reason": "not found"},
        ]
    }
    status, lines = vuln_audit.verdict([vuln_audit.parse("pypi", partial)])
    assert status == 3 and "1 of 2" in lines[0]
    osv = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ]
    }
    status, lines = vuln_audit.verdict(
        [vuln_audit.parse("pypi", partial), vuln_audit.parse("osv", osv)]
    )
    assert status == 0 and lines == [
        "measured: no known vulnerabilities in 2 dependencies (pypi, osv)"
    ]


def test_a_known_vulnerability_fails():
    found = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["5.2.19"]}],
            }
        ]
    }
    status, lines = vuln_audit.verdict([vuln_audit.parse("pypi", found)])
    assert status == 1 and "PYSEC-2026-1" in "\n".join(lines) and "5.2.19" in "\n".join(lines)
