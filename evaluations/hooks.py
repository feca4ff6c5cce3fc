"""What the ratings app hangs on the rest of the site (registered by ``EvaluationsConfig.ready``):

* an answer's Event (approved, denied, not accepted, answered) opens the invitation to rate it,
  in the same transaction, so the result notice can carry the link;
* the applicant's result notice and the reminder carry the signed rating link
  (``notifications.extras``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from permits.choices import EventAction

from . import links
from .models import Invitation
from .services import RESULT_ACTIONS, invitation_ensure, invitation_open

_LINK_ACTIONS = frozenset({*RESULT_ACTIONS, EventAction.RATING_REMINDED})


def event_recorded(sender, instance, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: fixtures bring their own rows
        return
    if created and instance.action in RESULT_ACTIONS and instance.application_id:
        if type(instance).application.is_cached(instance):  # the case the writer holds
            invitation_ensure(application=instance.application, at=instance.at)
        else:
            invitation_open(application=instance.application_id, at=instance.at)


def rating_link_line(event) -> str:
    """The extra line of a result notice or reminder: the link to rate the answer."""
    if event.action not in _LINK_ACTIONS:
        return ""
    invitation = (
        Invitation.objects.filter(application_id=event.application_id, closed_at__isnull=True)
        .order_by("-round")
        .first()
    )
    if invitation is None:
        return ""
    return _("Rate how it was handled: %(url)s") % {"url": links.link_url(invitation.pk)}
