"""Factories for regions, departments, staff accounts and roles (zh_CN Faker)."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from departments.models import Department, DepartmentKind, Level, Region

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    # Outside every real division code: "4453{n:02d}" reached 445381 (罗定市) at the 81st region,
    # so get_or_create handed a test's own 罗定市 to an unrelated item (an order-dependent failure).
    code = factory.Sequence(lambda n: f"{990000 + n:06d}")
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


class UserFactory(DjangoModelFactory):
    """An account. Roles come from ``departments.services.staff_role_grant`` (see ``grant``)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Yunfu@2026")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def grant(user, department, role, *, stage="", region=None):
    """Grant a role the way production does (keeps guardian permissions in sync)."""
    from departments.services import staff_role_grant

    return staff_role_grant(
        actor=None, user=user, department=department, role=role, stage=stage, region=region
    )
