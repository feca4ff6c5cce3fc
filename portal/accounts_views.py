"""Account pages: log in and out, where to land after login, registration of persons and
enterprises, "my account" with the enterprise's handlers.

Thin views: the rules are in ``permits.applicant_services`` and ``workflow.access``. Personal
data is shown masked, also to its owner; a re-shown registration form never carries the ID
number back in the clear: a valid one is kept sealed in a hidden field and shown masked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import LogoutView as DjangoLogoutView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.data_access import accesses_of_person
from logins import policy
from onestop.clientip import client_ip
from onestop.forms import add_service_errors
from permits import applicant_services
from permits.exceptions import PermitsError
from permits.models import Handler
from portal.accounts_forms import (
    EnterpriseForm,
    EnterpriseRegisterForm,
    HandlerAddForm,
    PersonRegisterForm,
)
from portal.navigation import optional_reverse
from workflow import access

# Where a citizen lands after login: "my applications" once that page exists, else the account.
CITIZEN_HOME_NAMES = (
    "portal:my_cases",
    "portal:application_list",
    "portal:applications",
    "portal:account",
)


class LoginView(DjangoLoginView):
    template_name = "portal/accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(DjangoLogoutView):
    """POST only (Django 5): the header's log-out button posts with its CSRF token."""


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Staff land in the back office, citizens and enterprise handlers on their own pages."""
    if access.is_staff_member(request.user):
        return redirect("workflow:home")
    return HttpResponseRedirect(optional_reverse(*CITIZEN_HOME_NAMES))


def _register(request: HttpRequest, form_class, service, template: str) -> HttpResponse:
    """A registration answers the same whether or not the ID number is on record (the service
    returns None then and tells the owner by SMS): no automatic login, the same message, the
    same redirect. Throttled per trusted client address and per ID number (429)."""
    if request.user.is_authenticated:
        return redirect("portal:account")
    form = form_class(request.POST or None)
    if request.method == "POST" and applicant_services.registration_limited(
        # the ID number typed, or the one kept from the last try (the form resolved it)
        client_address=client_ip(request),
        id_number=str(form.data.get("id_number") or ""),
    ):
        form.is_valid()
        form.add_error(
            None, _("Too many registrations from here or for this ID number. Try again in an hour.")
        )
        form.keep_id_number()
        return render(request, template, {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            service(**form.service_kwargs())
        except PermitsError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, applicant_services.REGISTRATION_RECEIVED)
            return redirect("portal:login")
    form.keep_id_number()
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


def register(request: HttpRequest) -> HttpResponse:
    """Register a person (个人注册)."""
    return _register(
        request,
        PersonRegisterForm,
        applicant_services.person_register,
        "portal/accounts/register.html",
    )


def register_enterprise(request: HttpRequest) -> HttpResponse:
    """Register an enterprise with a new account (法人注册): the person becomes its handler."""
    return _register(
        request,
        EnterpriseRegisterForm,
        applicant_services.enterprise_register,
        "portal/accounts/register_enterprise.html",
    )


@login_required
def enterprise_new(request: HttpRequest) -> HttpResponse:
    """A signed-in person registers an enterprise and becomes its first handler."""
    if access.user_person(request.user) is None:
        raise Http404
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applicant_services.enterprise_create(
                actor=request.user,
                org_name=form.cleaned_data["org_name"],
                credit_code=form.cleaned_data["credit_code"],
            )
        except PermitsError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The enterprise has been registered."))
            return redirect("portal:account")
    return render(
        request,
        "portal/accounts/enterprise_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _account_context(request: HttpRequest, *, add_forms: dict | None = None) -> dict:
    user = request.user
    handlerships = access.user_handlerships(user)
    enterprise_ids = [h.enterprise_id for h in handlerships]
    handlers_by_enterprise: dict[int, list[Handler]] = {pk: [] for pk in enterprise_ids}
    if enterprise_ids:
        for h in (
            Handler.objects.valid()
            .filter(enterprise_id__in=enterprise_ids)
            .select_related("person__user")
            .order_by("added_at", "pk")
        ):
            handlers_by_enterprise[h.enterprise_id].append(h)
    add_forms = add_forms or {}
    enterprises = [
        {
            "enterprise": h.enterprise,
            "mine": h,
            "handlers": handlers_by_enterprise.get(h.enterprise_id, []),
            "form": add_forms.get(h.enterprise.credit_code)
            or HandlerAddForm(prefix=h.enterprise.credit_code),
        }
        for h in handlerships
    ]
    person = access.user_person(user)
    return {
        "person": person,
        # 谁在何时因哪个办件查看了我的信息: staff looks at my data (not my own).
        "data_accesses": list(accesses_of_person(person.pk, exclude_actor_id=user.pk)[:100])
        if person is not None
        else [],
        "enterprises": enterprises,
        "is_staff_member": access.is_staff_member(user),
        "second_factor": policy.has_second_factor(user),
        "second_factor_required": settings.TWO_FACTOR_REQUIRED and policy.is_staff_account(user),
        "my_cases_url": optional_reverse(*CITIZEN_HOME_NAMES[:-1]),
    }


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """My account: the person (masked), the enterprises I handle and their handlers."""
    return render(request, "portal/accounts/account.html", _account_context(request))


@login_required
@require_POST
def handler_add(request: HttpRequest, credit_code: str) -> HttpResponse:
    try:
        enterprise = applicant_services.enterprise_get_for_handler(
            user=request.user, credit_code=credit_code
        )
    except PermitsError:
        raise Http404 from None
    form = HandlerAddForm(request.POST, prefix=enterprise.credit_code)
    if form.is_valid():
        try:
            applicant_services.handler_add(
                actor=request.user,
                enterprise=enterprise,
                username=form.cleaned_data["username"],
                scope=form.cleaned_data["scope"],
                valid_until=form.cleaned_data.get("valid_until"),
            )
        except PermitsError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The handler has been added."))
            return redirect(reverse("portal:account") + f"#enterprise-{enterprise.pk}")
    context = _account_context(request, add_forms={enterprise.credit_code: form})
    return render(request, "portal/accounts/account.html", context, status=400)


@login_required
@require_POST
def handler_remove(request: HttpRequest, credit_code: str, username: str) -> HttpResponse:
    try:
        enterprise = applicant_services.enterprise_get_for_handler(
            user=request.user, credit_code=credit_code
        )
        applicant_services.handler_remove(
            actor=request.user, enterprise=enterprise, username=username
        )
    except PermitsError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The handler has been removed."))
    return redirect("portal:account")
