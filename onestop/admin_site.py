"""The Django admin as the administrators see it: branded, Chinese, one 业务流程 section.

viewflow registers its own Process and Task admins in a second section also called 业务流程
(its app's name translated like ours). They list the engine's internal rows with English labels
("Process list") and would offer edits that bypass the services; the cases and their tasks are
shown read-only by ``workflow.admin`` instead, so viewflow's two admins are taken out.
"""

from __future__ import annotations

import contextlib

from django.contrib.admin import AdminSite
from django.contrib.admin.exceptions import NotRegistered
from django.utils.translation import gettext_lazy as _


def brand(site: AdminSite) -> None:
    """Name the admin after the site and drop viewflow's engine admins (called once, from the
    root URLconf, after every app's admin module has registered its models)."""
    site.site_header = _("Yunfu One-Stop: administration")
    site.site_title = _("Yunfu One-Stop administration")
    site.index_title = _("Catalogue and department administration")
    site.site_url = "/"

    from viewflow.workflow.models import Process, Task

    for model in (Process, Task):
        with contextlib.suppress(NotRegistered):
            site.unregister(model)
