"""Who may edit and who may publish disclosure articles.

Editorial rights, not case access: they are Django model permissions an administrator grants
(the demo's groups 政务公开编辑 and 政务公开审核), so the admin and the services ask the same
thing. ``workflow/access.py`` decides about cases, tasks and materials; nothing here concerns
them.
"""

from __future__ import annotations

from typing import Any

ADD_ARTICLE = "disclosure.add_article"
CHANGE_ARTICLE = "disclosure.change_article"
REVIEW_ARTICLE = "disclosure.review_article"


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_edit(user: Any) -> bool:
    """Editors write drafts, attach files and send drafts to review."""
    return _active(user) and (user.has_perm(CHANGE_ARTICLE) or user.has_perm(ADD_ARTICLE))


def can_review(user: Any, article: Any = None) -> bool:
    """Reviewers publish, send back and withdraw; never an article they wrote themselves (四眼
    原则: the author cannot publish their own text)."""
    if not (_active(user) and user.has_perm(REVIEW_ARTICLE)):
        return False
    return article is None or article.created_by_id != user.pk
