"""Factories and a small world for the service centre's tests: one centre, its managing
department, a clerk, and windows of mixed capability."""

from __future__ import annotations

from dataclasses import dataclass, field

import factory
from factory.django import DjangoModelFactory

from centres.models import WindowItem
from departments.models import DepartmentKind, Level, Role, ServiceCentre, Window, WindowKind
from permits.choices import Category
from tests.departments.factories import DepartmentFactory, RegionFactory, UserFactory, grant
from tests.permits.factories import ServiceItemFactory


class CentreFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCentre

    name = factory.Sequence(lambda n: f"测试政务服务中心{n}")
    region = factory.SubFactory(RegionFactory, level=Level.CITY)
    department = factory.SubFactory(
        DepartmentFactory,
        region=factory.SelfAttribute("..region"),
        kind=DepartmentKind.SERVICE_CENTRE,
    )


class WindowFactory(DjangoModelFactory):
    class Meta:
        model = Window

    centre = factory.SubFactory(CentreFactory)
    number = factory.Sequence(lambda n: f"{n + 1:02d}")
    name = "窗口"
    kind = WindowKind.DEPARTMENT
    categories = factory.LazyFunction(lambda: [Category.LICENSING])


@dataclass
class World:
    centre: ServiceCentre
    clerk: object
    items: dict = field(default_factory=dict)
    windows: dict = field(default_factory=dict)

    def window(self, number, *, kind=WindowKind.DEPARTMENT, categories=(), items=()):
        w = WindowFactory(centre=self.centre, number=number, kind=kind, categories=list(categories))
        for item in items:
            WindowItem.objects.create(window=w, item=item)
        self.windows[number] = w
        return w

    def clerk_of_centre(self, username):
        user = UserFactory(username=username)
        grant(user, self.centre.department, Role.CLERK)
        return user


def build_world(*, licensing_items=2, social_items=1) -> World:
    centre = CentreFactory()
    clerk = UserFactory()
    grant(clerk, centre.department, Role.CLERK)
    world = World(centre=centre, clerk=clerk)
    for i in range(licensing_items):
        world.items[f"lic{i}"] = ServiceItemFactory(
            published=True, category=Category.LICENSING, region=centre.region
        )
    for i in range(social_items):
        world.items[f"soc{i}"] = ServiceItemFactory(
            published=True, category=Category.SOCIAL_SECURITY, region=centre.region
        )
    return world
