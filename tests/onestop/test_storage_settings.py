"""FILE_STORAGE=s3 puts media on an S3-compatible store through django-storages."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import django
django.setup()
from django.core.files.storage import storages
s = storages["default"]
print(type(s).__module__, type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl)
"""


def test_s3_file_storage_is_configured_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
    env.update(
        DJANGO_SETTINGS_MODULE="onestop.settings",
        FILE_STORAGE="s3",
        S3_BUCKET="yunfu-materials",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        S3_ACCESS_KEY="key",
        S3_SECRET_KEY="secret",
    )

    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "S3Storage",
        "yunfu-materials",
        "http://127.0.0.1:9000",
        "private",
    ]


def test_local_file_storage_is_the_default():
    assert settings.STORAGES["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
