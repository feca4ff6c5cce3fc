"""Static files storage for production: WhiteNoise's compressed, hashed manifest storage.

Django's manifest storage refuses to collect a stylesheet that refers to a file that does not
exist. viewflow 2.4.0 ships ``viewflow/fonts/roboto/.../roboto-fontface.css``, which refers to
font files its package does not contain, so stock ``collectstatic`` fails with PRODUCTION=true
(and the Docker build with it). Such a reference is left as it is, with a warning, instead.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError as exc:
            if content is not None or not name:
                raise
            logger.warning("static file reference left unhashed: %s", exc)
            return name
