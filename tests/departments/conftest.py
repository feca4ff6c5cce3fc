import pytest

from departments.models import DepartmentKind, Level
from tests.departments.factories import DepartmentFactory, RegionFactory, UserFactory


@pytest.fixture
def city(db):
    return RegionFactory(code="445300", name="云浮市", level=Level.CITY)


@pytest.fixture
def county(city):
    return RegionFactory(code="445302", name="云城区", level=Level.COUNTY, parent=city)


@pytest.fixture
def other_county(city):
    return RegionFactory(code="445381", name="罗定市", level=Level.COUNTY, parent=city)


@pytest.fixture
def town(county):
    return RegionFactory(code="445302001", name="云城街道", level=Level.TOWN, parent=county)


@pytest.fixture
def department(city):
    return DepartmentFactory(code="city-amr", name="云浮市市场监督管理局", region=city)


@pytest.fixture
def other_department(city):
    return DepartmentFactory(code="city-tax", name="国家税务总局云浮市税务局", region=city)


@pytest.fixture
def centre_department(city):
    return DepartmentFactory(
        code="city-centre",
        name="云浮市政务服务和数据管理局",
        region=city,
        kind=DepartmentKind.SERVICE_CENTRE,
    )


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def superuser(db):
    u = UserFactory(username="root-admin")
    u.is_superuser = True
    u.is_staff = True
    u.save()
    return u
