"""The signed, expiring rating link (好差评 by SMS): the token carries the invitation's id only,
signed with the site's secret (``django.core.signing``, its own salt) and stamped with its time,
so it cannot be altered or made up and expires after ``RATING_LINK_MAX_AGE_DAYS``.

A link for a rated object other than a case (a window visit) is printed before there is an
invitation — on the ticket slip, when the ticket is taken — so its token names the object
instead (``{"k": kind, "s": id}``); it becomes usable once the owner opens the visit's
invitation when the visit ends (``services.link_invitation``)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from . import conf
from .exceptions import LinkExpired, LinkInvalid

SALT = "evaluations.rating-link"


def token_for(invitation_id: int) -> str:
    return signing.dumps({"i": int(invitation_id)}, salt=SALT, compress=True)


def subject_token_for(kind: str, subject_id: int) -> str:
    """The token of a rated object's link (a visit's slip), valid before its invitation."""
    return signing.dumps({"k": str(kind), "s": int(subject_id)}, salt=SALT, compress=True)


def _loads(token: str) -> dict:
    max_age = int(conf.get("RATING_LINK_MAX_AGE_DAYS")) * 86400
    try:
        data = signing.loads(str(token or ""), salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid() from None
    if not isinstance(data, dict):
        raise LinkInvalid()
    return data


def decode(token: str) -> tuple[str | None, int]:
    """``(None, invitation id)`` or ``(kind, object id)`` of a valid token; ``LinkExpired``
    (410) past its age, ``LinkInvalid`` (404) for anything we did not sign."""
    data = _loads(token)
    try:
        if "i" in data:
            return None, int(data["i"])
        kind = data["k"]
        if not isinstance(kind, str):
            raise TypeError
        return kind, int(data["s"])
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid() from None


def invitation_id_from(token: str) -> int:
    """The invitation id of a valid invitation token (see ``decode``)."""
    kind, pk = decode(token)
    if kind is not None:
        raise LinkInvalid()
    return pk


def link_path(invitation_id: int) -> str:
    return reverse("portal:rating_link", kwargs={"token": token_for(invitation_id)})


def link_url(invitation_id: int) -> str:
    return f"{conf.get('RATING_LINK_BASE_URL').rstrip('/')}{link_path(invitation_id)}"


def subject_link_path(kind: str, subject_id: int) -> str:
    return reverse("portal:rating_link", kwargs={"token": subject_token_for(kind, subject_id)})


def subject_link_url(kind: str, subject_id: int) -> str:
    return f"{conf.get('RATING_LINK_BASE_URL').rstrip('/')}{subject_link_path(kind, subject_id)}"
