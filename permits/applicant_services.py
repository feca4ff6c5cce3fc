"""Writes about applicants: registering persons and enterprises, adding and removing handlers.

(The catalogue's services live in ``permits/services.py``; these are kept apart so the two can
grow without treading on each other.)

Every error is a ``permits.exceptions`` error with per-field, translatable messages; none of
them repeats an ID number, a credit code or a phone number that was typed in. Who may act is
asked of ``permits.applicant_roles``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.records import record as audit_record
from departments.roles import forget
from onestop import limits
from permits import applicant_roles
from permits.exceptions import Conflict, Invalid, NotAllowed, NotFound
from permits.models import Enterprise, Handler, IdType, Person, ServiceItem
from permits.selectors import persons_with_id
from permits.signals import registration_on_record
from permits.validators import (
    mask_id_number,
    normalise_identifier,
    validate_credit_code,
    validate_id_number,
    validate_mobile_phone,
)

logger = logging.getLogger(__name__)
User = get_user_model()

_REQUIRED = _("This field is required.")


# --------------------------------------------------------------------------------------------
# Registration


def _clean_person_fields(
    *, username: str, password: str, real_name: str, id_type: str, id_number: str, phone: str
) -> tuple[dict[str, Any], dict[str, list]]:
    """Normalise and check the fields of a person account; return (values, errors)."""
    errors: dict[str, list] = {}
    values = {
        "username": (username or "").strip(),
        "real_name": " ".join((real_name or "").split()),
        "id_type": (id_type or "").strip(),
        "id_number": normalise_identifier(id_number),
        "phone": normalise_identifier(phone).removeprefix("+86"),
    }

    if not values["username"]:
        errors["username"] = [_REQUIRED]
    elif len(values["username"]) > 150:
        errors["username"] = [_("Use at most 150 characters.")]
    else:
        try:
            UnicodeUsernameValidator()(values["username"])
        except ValidationError as exc:
            errors["username"] = list(exc.messages)

    if not values["real_name"]:
        errors["real_name"] = [_REQUIRED]
    elif len(values["real_name"]) > 60:
        errors["real_name"] = [_("Use at most 60 characters.")]

    if values["id_type"] not in IdType.values:
        errors["id_type"] = [_("Choose a valid ID type.")]
    if not values["id_number"]:
        errors["id_number"] = [_REQUIRED]
    elif "id_type" not in errors:
        try:
            validate_id_number(values["id_type"], values["id_number"])
        except ValidationError as exc:
            errors["id_number"] = list(exc.messages)

    if not values["phone"]:
        errors["phone"] = [_REQUIRED]
    else:
        try:
            validate_mobile_phone(values["phone"])
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)

    if not password:
        errors["password"] = [_REQUIRED]
    else:
        try:
            validate_password(password, user=User(username=values["username"]))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    return values, errors


def _clean_enterprise_fields(*, org_name: str, credit_code: str) -> tuple[dict, dict]:
    errors: dict[str, list] = {}
    values = {
        "org_name": " ".join((org_name or "").split()),
        "credit_code": normalise_identifier(credit_code),
    }
    if not values["org_name"]:
        errors["org_name"] = [_REQUIRED]
    elif len(values["org_name"]) > 120:
        errors["org_name"] = [_("Use at most 120 characters.")]
    if not values["credit_code"]:
        errors["credit_code"] = [_REQUIRED]
    else:
        try:
            validate_credit_code(values["credit_code"])
        except ValidationError as exc:
            errors["credit_code"] = list(exc.messages)
    return values, errors


def _person_conflicts(values: dict[str, Any]) -> dict[str, list]:
    conflicts: dict[str, list] = {}
    if User.objects.filter(username__iexact=values["username"]).exists():
        conflicts["username"] = [_("This username is taken.")]
    return conflicts


def _person_on_record(values: dict[str, Any]) -> Person | None:
    """The person already on record with this ID number (an account, or a walk-in entered at a
    window). Such a person is never linked to a new account by the ID number alone: that would
    hand their cases to anyone who knows the number; linking happens at a window, with the ID
    card in hand. Nor does registration say that the number is known (PIPL): the caller answers
    as for a new registration and the owner is told by SMS (``registration_on_record``)."""
    return persons_with_id(values["id_type"], values["id_number"]).first()


def _tell_owner(person: Person, channel: str) -> None:
    audit_record(
        "data",
        "registration.id_on_record",
        target=person,
        detail={"channel": channel},
    )
    registration_on_record.send(sender=Person, person=person, channel=channel)


def _enterprise_conflicts(values: dict[str, Any]) -> dict[str, list]:
    if Enterprise.objects.filter(credit_code=values["credit_code"]).exists():
        return {"credit_code": [_("An enterprise with this credit code is already registered.")]}
    return {}


def _create_person_user(values: dict[str, Any], password: str) -> Any:
    user = User.objects.create_user(username=values["username"], password=password)
    Person.objects.create(
        user=user,
        real_name=values["real_name"],
        id_type=values["id_type"],
        id_number=values["id_number"],
        phone=values["phone"],
    )
    return user


def _integrity_conflict() -> Conflict:
    # Two registrations raced past the checks; the unique constraints decided.
    return Conflict(_("This account, ID number or credit code was registered a moment ago."))


# The one answer to a registration that went through and to one whose ID number is on record.
REGISTRATION_RECEIVED = _(
    "Registration received. If this ID number was not on record yet, your account is ready: "
    "log in with your username and password. If it was, nothing has been changed and the "
    "mobile phone of that record has been told by SMS."
)


def registration_limited(*, client_address: str, id_number: str) -> bool:
    """Count one registration attempt against the trusted client address and the ID number
    (``REGISTER_PER_IP_HOUR`` / ``REGISTER_PER_ID_HOUR``); True (and audited) when over either.
    Callers answer 429 before calling the service."""
    number = normalise_identifier(id_number or "")
    limited = limits.over(
        [
            ("register:ip", client_address, settings.REGISTER_PER_IP_HOUR),
            ("register:id", number, settings.REGISTER_PER_ID_HOUR),
        ]
    )
    audit_record(
        "data",
        "registration.throttled" if limited else "registration.attempt",
        detail={"client": client_address, "id_number": mask_id_number(number)},
    )
    return limited


def person_register(
    *,
    username: str,
    password: str,
    real_name: str,
    id_type: str,
    id_number: str,
    phone: str,
    channel: str = "web",
) -> Any | None:
    """Create a user account with its person (real name, ID, mobile phone).

    Anyone may call it (the registration page and endpoint; they throttle it by client address
    and ID number). Checks: the resident ID against GB 11643 and the other ID types for a sane
    format, an 11-digit mainland mobile number, Django's password validators. Raises
    ``Invalid`` (400) with per-field messages, or ``Conflict`` (409) when the username is
    taken. Returns the new user, or None when the ID number is already on record: nothing is
    created, the owner is told by SMS after commit and the attempt is audited; callers answer
    None exactly as a new account, so the answer never says whether the number is known.
    """
    values, errors = _clean_person_fields(
        username=username,
        password=password,
        real_name=real_name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
    )
    if errors:
        raise Invalid(fields=errors)
    conflicts = _person_conflicts(values)
    if conflicts:
        raise Conflict(_("Already registered."), fields=conflicts)
    on_record = _person_on_record(values)
    if on_record is not None:
        _tell_owner(on_record, channel)
        return None
    try:
        with transaction.atomic():
            user = _create_person_user(values, password)
    except IntegrityError:
        raise _integrity_conflict() from None
    logger.info("person registered: user=%s", user.pk)
    return user


def enterprise_register(
    *,
    username: str,
    password: str,
    real_name: str,
    id_type: str,
    id_number: str,
    phone: str,
    org_name: str,
    credit_code: str,
    channel: str = "web",
) -> Any | None:
    """Create a person account and its enterprise in one go; the person becomes the
    enterprise's first handler (经办人) for all items, without an end date.

    Anyone may call it. Checks as ``person_register``, plus the credit code against GB 32100.
    Raises ``Invalid`` (400) or ``Conflict`` (409: username or credit code already registered;
    an enterprise's credit code is public). An ID number already on record: None, as
    ``person_register``. Returns the new user.
    """
    values, errors = _clean_person_fields(
        username=username,
        password=password,
        real_name=real_name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
    )
    ent_values, ent_errors = _clean_enterprise_fields(org_name=org_name, credit_code=credit_code)
    errors.update(ent_errors)
    if errors:
        raise Invalid(fields=errors)
    conflicts = {**_person_conflicts(values), **_enterprise_conflicts(ent_values)}
    if conflicts:
        raise Conflict(_("Already registered."), fields=conflicts)
    on_record = _person_on_record(values)
    if on_record is not None:
        _tell_owner(on_record, channel)
        return None
    try:
        with transaction.atomic():
            user = _create_person_user(values, password)
            enterprise = Enterprise.objects.create(
                name=ent_values["org_name"], credit_code=ent_values["credit_code"]
            )
            Handler.objects.create(
                enterprise=enterprise, person=user.person, scope="all", added_by=user
            )
    except IntegrityError:
        raise _integrity_conflict() from None
    logger.info("enterprise registered: enterprise=%s by user=%s", enterprise.pk, user.pk)
    return user


def enterprise_create(*, actor: Any, org_name: str, credit_code: str) -> Enterprise:
    """A logged-in person registers an enterprise and becomes its first handler (all items).

    Raises ``Invalid`` (400; also when the account has no person), ``Conflict`` (409) for a
    registered credit code."""
    person = applicant_roles.user_person(actor)
    values, errors = _clean_enterprise_fields(org_name=org_name, credit_code=credit_code)
    if person is None:
        errors.setdefault("non_field_errors", []).append(
            _("Only an account with a real-name record can register an enterprise.")
        )
    if errors:
        raise Invalid(fields=errors)
    conflicts = _enterprise_conflicts(values)
    if conflicts:
        raise Conflict(_("Already registered."), fields=conflicts)
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                name=values["org_name"], credit_code=values["credit_code"]
            )
            Handler.objects.create(
                enterprise=enterprise, person=person, scope="all", added_by=actor
            )
    except IntegrityError:
        raise _integrity_conflict() from None
    forget(actor)
    logger.info("enterprise registered: enterprise=%s by user=%s", enterprise.pk, actor.pk)
    return enterprise


def enterprise_establish(
    *, application: Any, name: str, kind: str = "", legal_representative: str = ""
) -> Enterprise:
    """The outcome of an establishment case (企业开办): a new enterprise with a unified social
    credit code as the registration authority issues it (``permits.credit_codes``: in the demo
    a checksum-valid code from the range marked as the demo's), its founder — the case's
    applicant — its first authorised handler for all items. Idempotent per case (a decision
    retried under the case lock gets the same enterprise). The caller holds the case lock and
    records the event."""
    from permits import credit_codes

    existing = Enterprise.objects.filter(established_by=application).first()
    if existing is not None:
        return existing
    name = " ".join((name or "").split())[:120]
    if not name:
        raise Invalid(fields={"company_name": [_REQUIRED]})
    region = application.region.code if application.region_id else ""
    prefix = credit_codes.demo_prefix()
    taken = Enterprise.objects.filter(credit_code__startswith=f"91{region[:6]}{prefix}").count()
    enterprise = None
    for serial in range(taken + 1, taken + 50):
        code = credit_codes.demo_credit_code(region_code=region, serial=serial)
        try:
            with transaction.atomic():
                enterprise = Enterprise.objects.create(
                    name=name,
                    credit_code=code,
                    kind=(kind or "")[:60],
                    legal_representative=(legal_representative or "")[:60],
                    established_by=application,
                )
        except IntegrityError:
            continue  # another case took this serial: the next one
        break
    if enterprise is None:  # pragma: no cover - fifty concurrent establishments
        raise Conflict(_("No credit code could be issued; please try again."))
    founder = application.applicant_person
    if founder is not None:
        Handler.objects.get_or_create(
            enterprise=enterprise, person=founder, defaults={"scope": "all"}
        )
        # Only a user object already loaded can hold remembered roles: one read afresh has none.
        forget(founder.user if Person.user.is_cached(founder) else None)
    logger.info(
        "enterprise established: enterprise=%s by application=%s", enterprise.pk, application.pk
    )
    return enterprise


# --------------------------------------------------------------------------------------------
# Handlers


def enterprise_get_for_handler(*, user: Any, credit_code: str) -> Enterprise:
    """The enterprise with that credit code, if ``user`` is one of its current handlers;
    otherwise ``NotFound``, exactly as if it did not exist."""
    code = normalise_identifier(credit_code)
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None or not applicant_roles.can_manage_handlers(user, enterprise):
        raise NotFound()
    return enterprise


def _clean_scope(scope: Any) -> tuple[str | list[str], list]:
    if scope == "all":
        return "all", []
    if not isinstance(scope, list | tuple) or not scope:
        return scope, [_('Give "all" or a list of item codes.')]
    codes = []
    for code in scope:
        if not isinstance(code, str) or not code.strip():
            return scope, [_('Give "all" or a list of item codes.')]
        code = code.strip().upper()
        if code not in codes:
            codes.append(code)
    known = set(ServiceItem.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        return codes, [_("No service item has the code %(codes)s.") % {"codes": "、".join(unknown)}]
    return codes, []


def _holds_at_least(holder: Handler, scope: str | list[str], valid_until: dt.date | None) -> bool:
    """Whether ``holder`` holds every item of ``scope`` for the whole period."""
    if holder.scope != "all" and (scope == "all" or not set(scope) <= set(holder.scope or [])):
        return False
    return holder.valid_until is None or (
        valid_until is not None and valid_until <= holder.valid_until
    )


@transaction.atomic
def handler_add(
    *,
    actor: Any,
    enterprise: Enterprise,
    username: str,
    scope: str | list[str],
    valid_until: dt.date | None,
) -> Handler:
    """Authorise the account ``username`` to act for ``enterprise``.

    Who: a current handler of the enterprise (otherwise ``NotFound``: the enterprise stays
    invisible). A handler passes on no more than they hold: the new scope lies within theirs
    and the validity ends no later than theirs. A removed or expired handler is authorised
    anew; a current one answers ``Conflict``. Raises ``Invalid`` for bad input.
    """
    holder = applicant_roles.handler_of(actor, enterprise)
    if holder is None:
        raise NotFound()

    errors: dict[str, list] = {}
    username = (username or "").strip()
    person = None
    if not username:
        errors["username"] = [_REQUIRED]
    else:
        person = (
            Person.objects.filter(user__username=username, user__is_active=True)
            .select_related("user")
            .first()
        )
        if person is None:
            errors["username"] = [_("No account with a real-name record has this username.")]
    clean_scope, scope_errors = _clean_scope(scope)
    if scope_errors:
        errors["scope"] = scope_errors
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = [_("The date lies in the past.")]
    if not errors and not _holds_at_least(holder, clean_scope, valid_until):
        errors["scope"] = [_("You can pass on only the items and the period you hold yourself.")]
    if errors:
        raise Invalid(fields=errors)

    handler = (
        Handler.objects.select_for_update().filter(enterprise=enterprise, person=person).first()
    )
    if handler is not None and handler.is_current():
        raise Conflict(
            _("This account is already a handler of the enterprise."),
            fields={"username": [_("This account is already a handler of the enterprise.")]},
        )
    if handler is None:
        handler = Handler(enterprise=enterprise, person=person)
    handler.scope = clean_scope
    handler.valid_until = valid_until
    handler.added_by = actor
    handler.added_at = timezone.now()
    handler.removed_at = None
    handler.removed_by = None
    try:
        with transaction.atomic():
            handler.save()
    except IntegrityError:
        raise Conflict(_("This account is already a handler of the enterprise.")) from None
    logger.info(
        "handler added: enterprise=%s person=%s by user=%s", enterprise.pk, person.pk, actor.pk
    )
    return handler


@transaction.atomic
def handler_remove(*, actor: Any, enterprise: Enterprise, username: str) -> None:
    """End the authorisation of the handler ``username`` (the row stays, marked removed).

    Who: a current handler of the enterprise (otherwise ``NotFound``), holding at least what
    the removed handler holds (otherwise ``NotAllowed``). An unknown or already removed handler
    is ``NotFound``; the last current handler cannot be removed (``Conflict``).
    """
    holder = applicant_roles.handler_of(actor, enterprise)
    if holder is None:
        raise NotFound()
    # Lock the enterprise's handler rows: two removals at once must not leave none.
    current = list(
        Handler.objects.select_for_update(of=("self",))
        .valid()
        .filter(enterprise=enterprise)
        .select_related("person__user")
    )
    target = next(
        (h for h in current if h.person.user is not None and h.person.user.username == username),
        None,
    )
    if target is None:
        raise NotFound()
    if target.pk != holder.pk and not _holds_at_least(holder, target.scope, target.valid_until):
        raise NotAllowed(_("You cannot remove a handler who holds more than you do."))
    if len(current) <= 1:
        raise Conflict(_("An enterprise keeps at least one handler."))
    target.removed_at = timezone.now()
    target.removed_by = actor
    target.save(update_fields=["removed_at", "removed_by"])
    forget(actor)
    logger.info(
        "handler removed: enterprise=%s person=%s by user=%s",
        enterprise.pk,
        target.person_id,
        actor.pk,
    )
