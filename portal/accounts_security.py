"""Account pages of the login rules (logins app): the second factor (enrol with a QR code drawn
here, verify, recovery codes, opt out for citizens) and the password reset by SMS code.

Thin views: the rules are in ``logins.services`` and ``logins.policy``. The QR code is an SVG
made on the server (segno): no image service ever sees the secret. The reset never says
whether a username and phone matched, and is throttled per account and per client address.
"""

from __future__ import annotations

import base64
import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from logins import policy
from logins import services as login_services
from logins.exceptions import LoginsError
from onestop.clientip import client_ip
from permits.validators import mask_phone
from portal.accounts_forms import (
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    SecondFactorCodeForm,
)

logger = logging.getLogger("logins")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:after_login")


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=5, border=2, title=_("QR code"))


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Where a login goes on when the account needs a second factor: enrolment for an account
    without one (staff at their first login, citizens opting in), else the code prompt."""
    user = request.user
    if policy.has_second_factor(user):
        return _verify(request)
    return _enrol(request)


def _verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.is_verified(user):
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        # A wrong code counts as a failed login for the lockout (django-axes).
        username = user.get_username()
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return redirect("portal:login")
        form.add_error("code", _("The code is not correct."))
        form.mark_fields()
    context = {"form": form, "next": _next_url(request)}
    return render(
        request,
        "portal/accounts/two_factor_verify.html",
        context,
        status=400 if form.errors else 200,
    )


def _enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = login_services.totp_device_for_enrolment(user=user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = login_services.second_factor_confirm(
                user=user, device=device, token=form.cleaned_data["code"]
            )
        except LoginsError as exc:
            form.add_error("code", exc.message)
            form.mark_fields()
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[policy.SESSION_NEEDS_SECOND_FACTOR] = True
            return render(
                request,
                "portal/accounts/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "required": settings.TWO_FACTOR_REQUIRED and policy.is_staff_account(user),
        "next": _next_url(request),
    }
    return render(
        request,
        "portal/accounts/two_factor_setup.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a session that showed its factor."""
    if not (policy.has_second_factor(request.user) and policy.is_verified(request.user)):
        return redirect("portal:two_factor")
    codes = login_services.recovery_codes_regenerate(user=request.user)
    next_url = reverse("portal:account")
    return render(
        request, "portal/accounts/two_factor_codes.html", {"codes": codes, "next": next_url}
    )


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """A citizen turns two-factor login off (staff cannot)."""
    if not policy.is_verified(request.user):
        return redirect("portal:two_factor")
    try:
        login_services.second_factor_remove(user=request.user, actor=request.user)
    except LoginsError as exc:
        messages.error(request, str(exc.message))
    else:
        request.session[policy.SESSION_NEEDS_SECOND_FACTOR] = False
        messages.success(request, _("Two-factor login is off."))
    return redirect("portal:account")


# --------------------------------------------------------------------------------------------
# Password reset by SMS code


def _over_limit(key: str, limit: int) -> bool:
    """Count one request against ``limit`` an hour; a cache that is down lets it through."""
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) > limit
    except Exception:  # the cache server is down: throttle open, loudly
        logger.warning("password reset throttle unavailable (cache down); request let through")
        return False


def _send_code(phone: str, text: str) -> None:
    from notifications.models import NotificationKind
    from notifications.recipients import Recipient
    from notifications.services import notification_create

    # No account on the notice: the code goes out by SMS only, never into an inbox.
    notification_create(
        kind=NotificationKind.GENERAL,
        recipients=[Recipient(user=None, phone=phone)],
        context={"text": text},
    )


def _matching_user(username: str, phone: str):
    user = (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .select_related("person")
        .first()
    )
    person = getattr(user, "person", None) if user is not None else None
    if person is None or not person.phone:
        return None
    normalise = lambda value: "".join(ch for ch in value if ch.isdigit())[-11:]  # noqa: E731
    return user if normalise(person.phone) == normalise(phone) else None


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for an SMS code: username and the phone on record. The answer is the same whether
    or not they match."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip_limited = _over_limit(
            f"logins:reset:ip:{client_ip(request)}", settings.PASSWORD_RESET_PER_IP_HOUR
        )
        account_limited = _over_limit(
            f"logins:reset:user:{username}", settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
        )
        if ip_limited or account_limited:
            form.add_error(None, _("Too many codes were asked for. Try again in an hour."))
            form.mark_fields()
            return render(
                request, "portal/accounts/password_reset.html", {"form": form}, status=429
            )
        phone = form.cleaned_data["phone"]
        user = _matching_user(username, phone)
        if user is not None:
            login_services.password_reset_request(
                user=user, phone=user.person.phone, send=_send_code
            )
        else:
            logger.info("password reset asked for %s with a phone not on record", username)
        messages.info(
            request,
            _("If the username and the phone %(phone)s match our records, a code is on its way.")
            % {"phone": mask_phone(phone)},
        )
        target = reverse("portal:password_reset_confirm")
        return redirect(f"{target}?{urlencode({'username': username})}")
    return render(
        request,
        "portal/accounts/password_reset.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    """Enter the SMS code and a new password; success unlocks a locked-out account."""
    initial = {"username": request.GET.get("username", "")}
    form = PasswordResetConfirmForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _over_limit(
            f"logins:reset-confirm:ip:{client_ip(request)}", 5 * settings.PASSWORD_RESET_PER_IP_HOUR
        ):
            form.add_error(None, _("Too many tries. Try again in an hour."))
            status = 429
        else:
            user = (
                get_user_model()
                .objects.filter(username=form.cleaned_data["username"], is_active=True)
                .first()
            )
            try:
                if user is None:
                    raise LoginsError(
                        "invalid", _("The code is not correct or has expired. Ask for a new one.")
                    )
                login_services.password_reset_confirm(
                    user=user,
                    code=form.cleaned_data["code"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except LoginsError as exc:
                field = next(iter(exc.fields), None)
                # bandit B105: a form field's name, no password
                field = {"new_password": "new_password1"}.get(field, field) or "code"  # nosec B105
                for message in exc.fields.get(next(iter(exc.fields), ""), [exc.message]):
                    form.add_error(field, message)
            else:
                login_services.login_unlock(actor=user, username=user.get_username())
                messages.success(request, _("Your password has been changed. Log in with it."))
                return redirect("portal:login")
        form.mark_fields()
    if form.errors and status == 200:
        status = 400
    return render(
        request, "portal/accounts/password_reset_confirm.html", {"form": form}, status=status
    )
