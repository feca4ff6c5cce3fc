"""The signed, expiring rating link (好差评 by SMS): the token carries the invitation's id only,
signed with the site's secret (``django.core.signing``, its own salt) and stamped with its time,
so it cannot be altered or made up and expires after ``RATING_LINK_MAX_AGE_DAYS``."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from . import conf
from .exceptions import LinkExpired, LinkInvalid

SALT = "evaluations.rating-link"


def token_for(invitation_id: int) -> str:
    return signing.dumps({"i": int(invitation_id)}, salt=SALT, compress=True)


def invitation_id_from(token: str) -> int:
    """The invitation id of a valid token; ``LinkExpired`` (410) past its age, ``LinkInvalid``
    (404) for anything we did not sign."""
    max_age = int(conf.get("RATING_LINK_MAX_AGE_DAYS")) * 86400
    try:
        data = signing.loads(str(token or ""), salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid() from None
    try:
        return int(data["i"])
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid() from None


def link_path(invitation_id: int) -> str:
    return reverse("portal:rating_link", kwargs={"token": token_for(invitation_id)})


def link_url(invitation_id: int) -> str:
    return f"{conf.get('RATING_LINK_BASE_URL').rstrip('/')}{link_path(invitation_id)}"
