import pytest

from departments.models import Level
from tests.departments.factories import DepartmentFactory, RegionFactory
from tests.permits.factories import CompleteItemFactory


@pytest.fixture
def city():
    return RegionFactory(code="445300", name="云浮市", level=Level.CITY, position=0)


@pytest.fixture
def counties(city):
    names = [
        ("445302", "云城区"),
        ("445303", "云安区"),
        ("445381", "罗定市"),
        ("445321", "新兴县"),
        ("445322", "郁南县"),
    ]
    return [
        RegionFactory(code=code, name=name, level=Level.COUNTY, parent=city, position=n + 1)
        for n, (code, name) in enumerate(names)
    ]


@pytest.fixture
def market_bureau(city):
    return DepartmentFactory(code="yf-scjg", name="云浮市市场监督管理局", region=city)


@pytest.fixture
def qykb(city, market_bureau):
    """企业开办: a published parallel item with every guide field filled."""
    return CompleteItemFactory(
        code="11445300MB2C12345A", region=city, lead_department=market_bureau, popularity=99
    )
