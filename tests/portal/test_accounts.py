"""Account pages: login and where it lands, registration, my account, handlers, languages."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from departments.models import Role, Stage
from permits.models import Enterprise, Handler, Person
from tests.departments.factories import DepartmentFactory, UserFactory, grant
from tests.permits.applicant_factories import EnterpriseFactory, HandlerFactory, PersonFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

PASSWORD = "Yunfu@2026"
GOOD_ID = "445302199003071231"
BAD_ID = "445302199003071234"
OTHER_ID = "445302198501010023"
GOOD_CODE = "91445300MA4UX1234G"
BAD_CODE = "91445300MA4UX1234H"
TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def register_data(**over):
    data = {
        "username": "zhangsan",
        "password": "Yunfu@2026-secret",
        "password_again": "Yunfu@2026-secret",
        "real_name": "张三",
        "id_type": "resident_id",
        "id_number": GOOD_ID,
        "phone": "13812345678",
    }
    data.update(over)
    return data


class TestLogin:
    url = "/accounts/login/"

    def test_url_name(self):
        assert reverse("portal:login") == self.url
        assert reverse("portal:after_login") == "/accounts/after-login/"

    def test_chinese_by_default(self, client):
        response = client.get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html or 'lang="zh-Hans"' in html or "zh-hans" in html
        assert "登录" in html
        assert "Log in" not in html

    def test_english_on_request(self, client):
        response = client.get(self.url, HTTP_ACCEPT_LANGUAGE="en")
        html = response.content.decode()
        assert "Log in" in html
        assert "登录" not in html.split("<main", 1)[1]

    def test_english_by_language_switch(self, client):
        response = client.post("/i18n/setlang/", {"language": "en", "next": self.url})
        assert response.status_code == 302
        html = client.get(self.url).content.decode()
        assert "Log in" in html
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": self.url})
        assert "登录" in client.get(self.url).content.decode()

    def test_staff_land_in_the_back_office(self, client):
        clerk = UserFactory()
        grant(clerk, DepartmentFactory(), Role.REVIEWER, stage=Stage.UNDERTAKE)
        response = client.post(
            self.url, {"username": clerk.username, "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("workflow:home")
        assert response.status_code == 200

    def test_citizens_land_on_their_pages(self, client):
        person = PersonFactory()
        response = client.post(
            self.url, {"username": person.user.username, "password": PASSWORD}, follow=True
        )
        final = response.redirect_chain[-1][0]
        assert final != reverse("workflow:home")
        assert not final.startswith("/office/")
        assert response.status_code == 200

    def test_next_is_honoured(self, client):
        person = PersonFactory()
        response = client.post(
            self.url,
            {"username": person.user.username, "password": PASSWORD, "next": "/accounts/me/"},
        )
        assert response["Location"] == "/accounts/me/"

    def test_bad_password_shows_error(self, client):
        person = PersonFactory()
        response = client.post(self.url, {"username": person.user.username, "password": "nope"})
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()

    def test_logout_is_post(self, client):
        person = PersonFactory()
        client.force_login(person.user)
        assert client.get("/accounts/logout/").status_code == 405
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert client.get("/accounts/me/").status_code == 302  # logged out: back to login


class TestRegister:
    def test_person_registers_and_sees_masked_data(self, client):
        response = client.post("/accounts/register/", register_data(), follow=True)
        assert response.status_code == 200
        # No automatic login: a known ID number gets the very same answer (below).
        assert response.redirect_chain[-1][0].startswith("/accounts/login/")
        assert "注册申请已收到" in response.content.decode()
        client.force_login(User.objects.get(username="zhangsan"))
        response = client.get("/accounts/me/")
        html = response.content.decode()
        assert "445**************1" in html
        assert "138****5678" in html
        assert GOOD_ID not in html
        assert "13812345678" not in html
        assert Person.objects.get().user.username == "zhangsan"

    def test_bad_id_is_refused_in_chinese_without_echo(self, client):
        response = client.post("/accounts/register/", register_data(id_number=BAD_ID))
        assert response.status_code == 400
        html = response.content.decode()
        assert "GB 11643" in html
        assert "身份证" in html
        assert BAD_ID not in html
        assert not User.objects.exists()
        # The other fields come back filled, the passwords do not.
        assert 'value="zhangsan"' in html
        assert "Yunfu@2026-secret" not in html

    def test_an_error_keeps_the_id_number_masked_and_sealed(self, client):
        """Issue 14 item 11: the form comes back with the ID number kept (shown masked, carried
        sealed in a hidden field), so the applicant need not type it again."""
        import base64
        import re

        response = client.post("/accounts/register/", register_data(password_again="other"))
        assert response.status_code == 400
        html = response.content.decode()
        assert GOOD_ID not in html and base64.b64encode(GOOD_ID.encode()).decode() not in html
        assert "已保留上次填写的号码：445**************1" in html
        assert 'placeholder="445**************1"' in html
        (token,) = re.findall(r'name="id_number_kept" value="([^"]+)"', html)
        # Sent again with the field left empty: the kept number registers.
        data = register_data(id_number="", id_number_kept=token)
        response = client.post("/accounts/register/", data, follow=True)
        assert "注册申请已收到" in response.content.decode()
        assert Person.objects.get().id_number == GOOD_ID

    def test_a_kept_id_number_must_be_genuine_and_recent(self, client):
        import re

        from portal.accounts_forms import KEPT_ID_MAX_AGE

        with time_machine.travel(TODAY, tick=False) as traveller:
            html = client.post(
                "/accounts/register/", register_data(password_again="other")
            ).content.decode()
            (token,) = re.findall(r'name="id_number_kept" value="([^"]+)"', html)
            forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
            for bad in (forged, "sm4g:x:" + token, GOOD_ID):
                response = client.post(
                    "/accounts/register/", register_data(id_number="", id_number_kept=bad)
                )
                assert response.status_code == 400
                assert 'id="id_id_number_error"' in response.content.decode()
            traveller.shift(KEPT_ID_MAX_AGE + 1)
            response = client.post(
                "/accounts/register/", register_data(id_number="", id_number_kept=token)
            )
            assert response.status_code == 400
            assert 'id="id_id_number_error"' in response.content.decode()
        assert not User.objects.exists()
        # An invalid ID number is not kept: it has to be typed again.
        html = client.post("/accounts/register/", register_data(id_number=BAD_ID)).content.decode()
        assert 'name="id_number_kept" value=' not in html or 'id_number_kept" value=""' in html
        assert "已保留上次填写的号码" not in html

    @pytest.mark.parametrize(
        "url, extra",
        [
            ("/accounts/register/", {}),
            ("/accounts/register/enterprise/", {"org_name": "云浮市石艺有限公司"}),
        ],
    )
    @pytest.mark.parametrize(
        "error", [{"password_again": "other"}, {"phone": "1381234567x"}, {"id_number": BAD_ID}]
    )
    def test_a_re_shown_form_keeps_the_phone_only_in_its_input(self, client, url, extra, error):
        # Whatever went wrong, what the user typed as phone stands once, in the phone input's
        # value; no error, summary or help text repeats the phone or the ID number.
        import re

        data = register_data(**{"credit_code": BAD_CODE, **extra, **error})
        html = client.post(url, data).content.decode()
        phone = data["phone"]
        assert html.count(phone) == 1
        (tag,) = re.findall(r"<input[^>]*" + re.escape(phone) + r"[^>]*>", html)
        assert 'name="phone"' in tag and f'value="{phone}"' in tag
        for number in (GOOD_ID, BAD_ID, GOOD_ID[-8:]):
            assert number not in html

    def test_field_errors_next_to_fields(self, client):
        response = client.post("/accounts/register/", register_data(password_again="other"))
        assert 'id="id_password_again_error"' in response.content.decode()
        response = client.post("/accounts/register/", register_data(phone="123"))
        html = response.content.decode()
        assert 'id="id_phone_error"' in html
        assert "手机号码" in html
        assert 'aria-invalid="true"' in html
        assert 'aria-describedby="id_phone_error"' in html

    def test_a_known_id_number_gets_the_same_answer_and_its_owner_an_sms(self, client):
        from audit.models import AuditRecord
        from notifications.models import Delivery

        fresh = client.post("/accounts/register/", register_data(), follow=True)
        owner = PersonFactory(id_number=OTHER_ID, phone="13900001111")

        known = client.post(
            "/accounts/register/",
            register_data(username="lisi", id_number=OTHER_ID),
            follow=True,
        )

        assert known.status_code == fresh.status_code == 200
        assert known.redirect_chain == fresh.redirect_chain
        assert "注册申请已收到" in known.content.decode()
        assert OTHER_ID not in known.content.decode()
        assert not User.objects.filter(username="lisi").exists()
        assert Person.objects.filter(id_number_hash__isnull=False).count() == 2
        sms = Delivery.objects.get(channel="sms")
        assert sms.to == owner.phone and "身份证号码" in sms.notification.body
        assert AuditRecord.objects.filter(action="registration.id_on_record").exists()

    def test_registration_is_throttled_by_address_and_by_id_number(self, client, settings):
        settings.REGISTER_PER_ID_HOUR = 2
        settings.REGISTER_PER_IP_HOUR = 3
        codes = [
            client.post("/accounts/register/", register_data(password_again="x")).status_code
            for _ in range(3)
        ]
        assert codes == [400, 400, 429]  # the third for this ID number
        # another ID number from the same address: the address's allowance is used up too
        other = register_data(id_number=OTHER_ID, password_again="x")
        assert client.post("/accounts/register/", other).status_code == 429
        # a forged X-Forwarded-For is no new address (no trusted proxy configured)
        forged = client.post("/accounts/register/", other, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert forged.status_code == 429
        from audit.models import AuditRecord

        assert AuditRecord.objects.filter(action="registration.throttled").count() == 3

    def test_enterprise_registration(self, client):
        data = register_data(org_name="云浮市石艺有限公司", credit_code=GOOD_CODE)
        response = client.post("/accounts/register/enterprise/", data, follow=True)
        assert response.status_code == 200
        client.force_login(User.objects.get(username="zhangsan"))
        html = client.get("/accounts/me/").content.decode()
        assert "云浮市石艺有限公司" in html
        assert Handler.objects.get().person.user.username == "zhangsan"

    def test_enterprise_bad_and_duplicate_credit_code(self, client):
        response = client.post(
            "/accounts/register/enterprise/",
            register_data(org_name="某公司", credit_code=BAD_CODE),
        )
        assert response.status_code == 400
        assert "GB 32100" in response.content.decode()
        EnterpriseFactory(credit_code=GOOD_CODE)
        response = client.post(
            "/accounts/register/enterprise/",
            register_data(org_name="某公司", credit_code=GOOD_CODE),
        )
        assert response.status_code == 400
        assert "已注册" in response.content.decode()
        assert not User.objects.exists()

    def test_signed_in_person_registers_an_enterprise(self, client):
        person = PersonFactory()
        client.force_login(person.user)
        response = client.post(
            "/accounts/me/enterprises/new/", {"org_name": "某公司", "credit_code": GOOD_CODE}
        )
        assert response.status_code == 302
        assert Enterprise.objects.get().handlers.get().person == person


class TestMyAccount:
    @pytest.fixture(autouse=True)
    def _today(self):
        with time_machine.travel(TODAY, tick=False):
            yield

    def test_requires_login(self, client):
        response = client.get("/accounts/me/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_shows_enterprises_and_masked_handlers(self, client):
        owner = HandlerFactory(enterprise__name="云浮市石艺有限公司")
        other = HandlerFactory(enterprise=owner.enterprise, person__real_name="李四光")
        client.force_login(owner.person.user)
        html = client.get("/accounts/me/").content.decode()
        assert "云浮市石艺有限公司" in html
        assert "李**" in html
        assert "李四光" not in html
        assert other.person.id_number not in html
        assert owner.person.id_number not in html
        assert other.person.phone not in html

    def test_add_and_remove_handler(self, client):
        owner = HandlerFactory()
        colleague = PersonFactory()
        code = owner.enterprise.credit_code
        client.force_login(owner.person.user)
        response = client.post(
            f"/accounts/me/enterprises/{code}/handlers/",
            {
                f"{code}-username": colleague.user.username,
                f"{code}-all_items": "on",
                f"{code}-valid_until": "2027-06-30",
            },
        )
        assert response.status_code == 302
        handler = Handler.objects.get(person=colleague)
        assert handler.valid_until == dt.date(2027, 6, 30)

        response = client.post(
            f"/accounts/me/enterprises/{code}/handlers/{colleague.user.username}/remove/"
        )
        assert response.status_code == 302
        handler.refresh_from_db()
        assert handler.removed_at is not None

    def test_add_handler_errors_shown(self, client):
        owner = HandlerFactory()
        code = owner.enterprise.credit_code
        client.force_login(owner.person.user)
        response = client.post(
            f"/accounts/me/enterprises/{code}/handlers/",
            {f"{code}-username": "nobody", f"{code}-all_items": "on"},
        )
        assert response.status_code == 400
        assert f'id="id_{code}-username_error"' in response.content.decode()

    def test_non_handler_gets_404(self, client):
        owner = HandlerFactory()
        stranger = PersonFactory()
        code = owner.enterprise.credit_code
        client.force_login(stranger.user)
        response = client.post(
            f"/accounts/me/enterprises/{code}/handlers/",
            {f"{code}-username": stranger.user.username, f"{code}-all_items": "on"},
        )
        assert response.status_code == 404
        response = client.post(
            f"/accounts/me/enterprises/{code}/handlers/{owner.person.user.username}/remove/"
        )
        assert response.status_code == 404
        assert Handler.objects.get(pk=owner.pk).removed_at is None
        assert not Handler.objects.filter(person=stranger).exists()


def _account_queries(client, n_enterprises, n_handlers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = PersonFactory()
    for _ in range(n_enterprises):
        mine = HandlerFactory(person=person)
        for _ in range(n_handlers):
            HandlerFactory(enterprise=mine.enterprise)
    client.force_login(person.user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/accounts/me/").status_code == 200
    client.logout()
    return len(ctx.captured_queries)


def test_my_account_runs_a_constant_number_of_queries(client):
    few = _account_queries(client, 1, 1)
    many = _account_queries(client, 5, 6)
    assert few == many, (few, many)
