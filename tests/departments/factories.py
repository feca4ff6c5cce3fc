"""Factories for regions and departments (zh_CN Faker)."""

import factory
from factory.django import DjangoModelFactory

from departments.models import Department, DepartmentKind, Level, Region

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"4453{n:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = Level.COUNTY


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    level = Level.CITY
    region = factory.SubFactory(RegionFactory)
    kind = DepartmentKind.PERMITTING
