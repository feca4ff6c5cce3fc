"""Every class named in ``REST_FRAMEWORK`` imports on its own, first, in a fresh interpreter.

DRF resolves these dotted paths lazily, some of them while it defines ``APIView``; a module
named there that itself imports ``rest_framework.views`` is then found half-initialised, which
depends on import order: the suite passed while ``manage.py migrate`` (so ``make demo``) failed
with "partially initialized module 'onestop.api' has no attribute 'JSONParser'".
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _dotted_paths() -> list[str]:
    paths = []
    for value in settings.REST_FRAMEWORK.values():
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and "." in item and item.split(".")[0] in {"onestop"}:
                paths.append(item)
    return paths


@pytest.mark.parametrize("path", _dotted_paths())
def test_imports_first_in_a_fresh_interpreter(path):
    code = (
        "import django; django.setup()\n"
        "from django.utils.module_loading import import_string\n"
        f"import_string({path!r})\n"
        "from rest_framework.views import APIView\n"
        "APIView.parser_classes, APIView.settings.EXCEPTION_HANDLER\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "onestop.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_project_classes_are_all_checked():
    assert "onestop.parsers.JSONParser" in _dotted_paths()
