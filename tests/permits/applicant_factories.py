"""Factories for applicants: persons with accounts, enterprises and their handlers."""

import factory
from factory.django import DjangoModelFactory

from permits.models import Enterprise, Handler, IdType, Person
from permits.validators import credit_code_check_char, resident_id_check_char
from tests.departments.factories import UserFactory

factory.Faker._DEFAULT_LOCALE = "zh_CN"


def resident_id(n: int, *, division: str = "445302", born: str = "19900307") -> str:
    """A resident ID number with a correct GB 11643 check character."""
    first17 = f"{division}{born}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(n: int) -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    first17 = f"91445300MA{n % 10_000_000:07d}"
    return first17 + credit_code_check_char(first17)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    real_name = factory.Faker("name")
    id_type = IdType.RESIDENT_ID
    id_number = factory.Sequence(lambda n: resident_id(n, born=f"19{60 + n // 1000 % 40}0101"))
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Faker("company")
    credit_code = factory.Sequence(credit_code)


class HandlerFactory(DjangoModelFactory):
    class Meta:
        model = Handler

    enterprise = factory.SubFactory(EnterpriseFactory)
    person = factory.SubFactory(PersonFactory)
    scope = "all"
    valid_until = None


def make_item(code: str):
    """A bare service item with that code (enough for handler scopes)."""
    from departments.models import Level
    from permits.models import Audience, Category, OnlineDepth, ServiceItem, ServiceModel
    from tests.departments.factories import DepartmentFactory, RegionFactory

    region = RegionFactory(code="445300", name="云浮市", level=Level.CITY)
    return ServiceItem.objects.create(
        code=code,
        name=f"测试事项{code}",
        category=Category.LICENSING,
        audience=Audience.ENTERPRISE,
        service_model=ServiceModel.SINGLE_DEPARTMENT,
        region=region,
        lead_department=DepartmentFactory(region=region),
        legal_days=20,
        promised_days=5,
        online_depth=OnlineDepth.FULL_ONLINE,
    )
