"""Registering persons and enterprises; adding and removing handlers."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from permits import applicant_roles
from permits.applicant_services import (
    enterprise_create,
    enterprise_get_for_handler,
    enterprise_register,
    handler_add,
    handler_remove,
    person_register,
)
from permits.exceptions import Conflict, Invalid, NotAllowed, NotFound
from permits.models import Enterprise, Handler, Person
from permits.selectors import persons_with_id
from tests.permits.applicant_factories import (
    EnterpriseFactory,
    HandlerFactory,
    PersonFactory,
    credit_code,
    make_item,
    resident_id,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
GOOD_ID = "445302199003071231"
BAD_ID = "445302199003071234"  # wrong check character
GOOD_CODE = "91445300MA4UX1234G"
BAD_CODE = "91445300MA4UX1234H"


def person_data(**over):
    data = {
        "username": "zhangsan",
        "password": "Yunfu@2026-secret",
        "real_name": "张三",
        "id_type": "resident_id",
        "id_number": GOOD_ID,
        "phone": "13812345678",
    }
    data.update(over)
    return data


def all_messages(exc) -> str:
    return str(exc.message) + " ".join(str(m) for ms in exc.fields.values() for m in ms)


class TestPersonRegister:
    def test_creates_account_and_person(self):
        user = person_register(**person_data(id_number="11010519491231002x", phone="138 1234 5678"))
        person = Person.objects.get(user=user)
        assert person.real_name == "张三"
        assert person.id_number == "11010519491231002X"  # normalised upper-case X
        assert person.phone == "13812345678"
        assert user.check_password("Yunfu@2026-secret")

    def test_bad_checksum_is_refused_without_echo(self):
        with pytest.raises(Invalid) as exc:
            person_register(**person_data(id_number=BAD_ID))
        assert set(exc.value.fields) == {"id_number"}
        assert BAD_ID not in all_messages(exc.value)
        assert not User.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("phone", "1381234567"),  # 10 digits
            ("phone", "02388888888"),  # not a mobile number
            ("username", ""),
            ("username", "bad name!"),
            ("real_name", "  "),
            ("id_type", "driving_licence"),
            ("password", "123"),
        ],
    )
    def test_field_errors(self, field, value):
        with pytest.raises(Invalid) as exc:
            person_register(**person_data(**{field: value}))
        assert field in exc.value.fields

    def test_other_id_type(self):
        user = person_register(**person_data(id_type="passport", id_number="e1234567"))
        assert user.person.id_number == "E1234567"

    def test_duplicates_conflict(self):
        person_register(**person_data())
        with pytest.raises(Conflict) as exc:
            person_register(**person_data(username="ZhangSan", id_number=resident_id(7)))
        assert set(exc.value.fields) == {"username"}
        # A known ID number is no conflict the caller may see: nothing is made, the owner told.
        assert person_register(**person_data(username="lisi")) is None
        assert not User.objects.filter(username="lisi").exists()

    def test_walk_in_record_is_not_claimed_by_id_alone(self):
        from permits.signals import registration_on_record

        told = []
        registration_on_record.connect(
            lambda **kw: told.append(kw["person"]), weak=False, dispatch_uid="test-told"
        )
        try:
            walk_in = PersonFactory(user=None, id_number=GOOD_ID)
            assert person_register(**person_data()) is None
        finally:
            registration_on_record.disconnect(dispatch_uid="test-told")
        assert persons_with_id("resident_id", GOOD_ID).get().user is None
        assert told == [walk_in]


class TestEnterpriseRegister:
    def test_person_becomes_first_handler(self):
        user = enterprise_register(
            **person_data(), org_name="云浮市石艺有限公司", credit_code=GOOD_CODE.lower()
        )
        enterprise = Enterprise.objects.get()
        assert enterprise.credit_code == GOOD_CODE
        handler = Handler.objects.get()
        assert handler.person == user.person
        assert handler.scope == "all"
        assert handler.valid_until is None
        assert applicant_roles.is_handler(user, enterprise)

    def test_bad_credit_code(self):
        with pytest.raises(Invalid) as exc:
            enterprise_register(**person_data(), org_name="某公司", credit_code=BAD_CODE)
        assert set(exc.value.fields) == {"credit_code"}
        assert BAD_CODE not in all_messages(exc.value)
        assert not User.objects.exists()

    def test_registered_credit_code_conflicts(self):
        EnterpriseFactory(credit_code=GOOD_CODE)
        with pytest.raises(Conflict) as exc:
            enterprise_register(**person_data(), org_name="某公司", credit_code=GOOD_CODE)
        assert "credit_code" in exc.value.fields
        assert not User.objects.exists()  # all or nothing

    def test_logged_in_person_registers_enterprise(self):
        person = PersonFactory()
        enterprise = enterprise_create(actor=person.user, org_name="某公司", credit_code=GOOD_CODE)
        assert applicant_roles.is_handler(person.user, enterprise)
        with pytest.raises(Conflict):
            enterprise_create(actor=person.user, org_name="某公司", credit_code=GOOD_CODE)

    def test_account_without_person_cannot(self):
        staff = User.objects.create_user("staff1", password="x")
        with pytest.raises(Invalid):
            enterprise_create(actor=staff, org_name="某公司", credit_code=GOOD_CODE)


class TestHandlers:
    @pytest.fixture(autouse=True)
    def _today(self):
        with time_machine.travel(TODAY, tick=False):
            yield

    @pytest.fixture
    def owner(self):
        return HandlerFactory(scope="all")

    @pytest.fixture
    def enterprise(self, owner):
        return owner.enterprise

    @pytest.fixture
    def colleague(self):
        return PersonFactory()

    @pytest.fixture
    def item_codes(self, db):
        return [make_item("ITEM-A01").code, make_item("ITEM-B01").code]

    def test_add_and_remove(self, owner, enterprise, colleague):
        until = dt.date(2027, 6, 30)
        h = handler_add(
            actor=owner.person.user,
            enterprise=enterprise,
            username=colleague.user.username,
            scope="all",
            valid_until=until,
        )
        assert h.person == colleague and h.valid_until == until
        assert applicant_roles.is_handler(
            type(colleague.user).objects.get(pk=colleague.user.pk), enterprise
        )

        handler_remove(
            actor=owner.person.user, enterprise=enterprise, username=colleague.user.username
        )
        h.refresh_from_db()
        assert h.removed_at is not None and h.removed_by == owner.person.user
        assert not applicant_roles.is_handler(
            type(colleague.user).objects.get(pk=colleague.user.pk), enterprise
        )

    def test_non_handler_gets_not_found(self, enterprise, colleague):
        stranger = PersonFactory()
        with pytest.raises(NotFound):
            handler_add(
                actor=stranger.user,
                enterprise=enterprise,
                username=colleague.user.username,
                scope="all",
                valid_until=None,
            )
        with pytest.raises(NotFound):
            enterprise_get_for_handler(user=stranger.user, credit_code=enterprise.credit_code)
        with pytest.raises(NotFound):
            enterprise_get_for_handler(user=stranger.user, credit_code=credit_code(999))

    def test_expired_handler_is_no_longer_a_handler(self, enterprise, colleague):
        expired = HandlerFactory(enterprise=enterprise, valid_until=dt.date(2026, 11, 25))
        with pytest.raises(NotFound):
            handler_add(
                actor=expired.person.user,
                enterprise=enterprise,
                username=colleague.user.username,
                scope="all",
                valid_until=None,
            )

    def test_scope_codes_must_exist(self, owner, enterprise, colleague, item_codes):
        with pytest.raises(Invalid) as exc:
            handler_add(
                actor=owner.person.user,
                enterprise=enterprise,
                username=colleague.user.username,
                scope=["ITEM-A01", "NOPE-999"],
                valid_until=None,
            )
        assert "NOPE-999" in str(exc.value.fields["scope"][0])
        h = handler_add(
            actor=owner.person.user,
            enterprise=enterprise,
            username=colleague.user.username,
            scope=["item-a01"],
            valid_until=None,
        )
        assert h.scope == ["ITEM-A01"]

    def test_pass_on_no_more_than_held(self, enterprise, colleague, item_codes):
        limited = HandlerFactory(
            enterprise=enterprise, scope=["ITEM-A01"], valid_until=dt.date(2027, 1, 31)
        )
        for scope, until in (
            ("all", dt.date(2027, 1, 1)),
            (["ITEM-B01"], dt.date(2027, 1, 1)),
            (["ITEM-A01"], None),
            (["ITEM-A01"], dt.date(2027, 2, 1)),
        ):
            with pytest.raises(Invalid):
                handler_add(
                    actor=limited.person.user,
                    enterprise=enterprise,
                    username=colleague.user.username,
                    scope=scope,
                    valid_until=until,
                )
        handler_add(
            actor=limited.person.user,
            enterprise=enterprise,
            username=colleague.user.username,
            scope=["ITEM-A01"],
            valid_until=dt.date(2027, 1, 31),
        )

    def test_limited_handler_cannot_remove_a_broader_one(self, owner, enterprise, item_codes):
        limited = HandlerFactory(enterprise=enterprise, scope=["ITEM-A01"])
        with pytest.raises(NotAllowed):
            handler_remove(
                actor=limited.person.user,
                enterprise=enterprise,
                username=owner.person.user.username,
            )

    def test_past_date_unknown_user_and_current_duplicate(self, owner, enterprise, colleague):
        kwargs = {"actor": owner.person.user, "enterprise": enterprise, "scope": "all"}
        with pytest.raises(Invalid) as exc:
            handler_add(
                **kwargs, username=colleague.user.username, valid_until=dt.date(2026, 11, 25)
            )
        assert "valid_until" in exc.value.fields
        with pytest.raises(Invalid) as exc:
            handler_add(**kwargs, username="nobody", valid_until=None)
        assert "username" in exc.value.fields
        with pytest.raises(Conflict):
            handler_add(**kwargs, username=owner.person.user.username, valid_until=None)

    def test_removed_handler_can_be_added_again(self, owner, enterprise, colleague):
        kwargs = {"actor": owner.person.user, "enterprise": enterprise}
        handler_add(**kwargs, username=colleague.user.username, scope="all", valid_until=None)
        handler_remove(**kwargs, username=colleague.user.username)
        again = handler_add(
            **kwargs, username=colleague.user.username, scope="all", valid_until=None
        )
        assert again.removed_at is None
        assert Handler.objects.filter(enterprise=enterprise).count() == 2

    def test_last_handler_stays(self, owner, enterprise):
        with pytest.raises(Conflict):
            handler_remove(
                actor=owner.person.user, enterprise=enterprise, username=owner.person.user.username
            )

    def test_unknown_handler_to_remove(self, owner, enterprise, colleague):
        with pytest.raises(NotFound):
            handler_remove(
                actor=owner.person.user, enterprise=enterprise, username=colleague.user.username
            )
