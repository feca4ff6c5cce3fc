"""Applicant facts: which person a user account is, and which enterprises it handles (经办人).

The applicant-side counterpart of ``departments.roles``: plain facts read from the indexed
``Person.user`` and ``Handler`` rows, cached on the user object the same way (and dropped by
``departments.roles.forget``). The case rules built on them are in ``workflow.access``, which
re-exports these functions; ``permits`` (below ``workflow``) asks this module directly.

* A user account belongs to at most one person (``Person.user``).
* A person is a *current* handler of an enterprise through its ``valid_until`` date
  (inclusive; no date means no end), for ``"all"`` items or a list of item codes (the scope).
* Deny by default: anonymous and inactive users have no person and no enterprises.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from departments.roles import cached, is_user, pk_of, prime, register_user_fact
from permits.models import Enterprise, Handler, Person


def user_person(user: Any) -> Person | None:
    """The person the account belongs to, or None (staff accounts usually have none)."""
    if not is_user(user):
        return None
    return cached(user, "person", lambda: Person.objects.filter(user_id=user.pk).first())


def user_handlerships(user: Any) -> tuple[Handler, ...]:
    """The user's *current* handler rows (valid today), with their enterprises."""
    if not is_user(user):
        return ()

    def compute() -> tuple[Handler, ...]:
        return tuple(
            Handler.objects.valid()
            .filter(person__user_id=user.pk)
            .select_related("enterprise")
            .order_by("enterprise__name", "pk")
        )

    return cached(user, "handlerships", compute)


def user_enterprise_scopes(user: Any) -> dict[int, frozenset[str] | None]:
    """Enterprise id → the item codes the user may act on for it, or None for all items.

    This is the primitive for case visibility: an enterprise's case is the user's when its
    enterprise is a key here and its item code is in the value (or the value is None)."""
    scopes: dict[int, frozenset[str] | None] = {}
    for h in user_handlerships(user):
        scopes[h.enterprise_id] = None if h.scope == "all" else frozenset(h.scope or ())
    return scopes


def user_enterprise_ids(user: Any, *, item_code: str | None = None) -> frozenset[int]:
    """Enterprises the user currently handles; with ``item_code``, only those whose handler
    scope covers that item."""
    return frozenset(
        ent
        for ent, codes in user_enterprise_scopes(user).items()
        if item_code is None or codes is None or item_code in codes
    )


def is_handler(user: Any, enterprise: Enterprise | int) -> bool:
    """Whether the user is a current handler of the enterprise (for any item)."""
    return pk_of(enterprise) in user_enterprise_scopes(user)


def can_act_for_enterprise(user: Any, enterprise: Enterprise | int, item_code: str) -> bool:
    """Whether the user may apply for (and follow) ``item_code`` on the enterprise's behalf."""
    return pk_of(enterprise) in user_enterprise_ids(user, item_code=item_code)


def handler_of(user: Any, enterprise: Enterprise | int) -> Handler | None:
    """The user's current handler row for the enterprise, or None."""
    ent = pk_of(enterprise)
    return next((h for h in user_handlerships(user) if h.enterprise_id == ent), None)


def can_manage_handlers(user: Any, enterprise: Enterprise | int) -> bool:
    """Any current handler may add and remove the enterprise's handlers, passing on no more
    than they hold (``permits.applicant_services`` checks the scope and validity)."""
    return is_handler(user, enterprise)


# What the token authentication's query tells about these facts (``departments.roles.
# USER_FACTS``): an account with no person row has no person; one whose person never was a
# handler has no handler rows (a row, current or not, leaves the answer to the read above).
def _keep_no_person(user: Any, has_person: Any) -> None:
    if is_user(user) and has_person is False:
        prime(user, "person", None)


def _keep_no_handlerships(user: Any, has_handler_rows: Any) -> None:
    if is_user(user) and has_handler_rows is False:
        prime(user, "handlerships", ())


register_user_fact(
    "has_person",
    lambda user_ref: Exists(Person.objects.filter(user_id=OuterRef(user_ref))),
    _keep_no_person,
)
register_user_fact(
    "has_handler_rows",
    lambda user_ref: Exists(Handler.objects.filter(person__user_id=OuterRef(user_ref))),
    _keep_no_handlerships,
)
