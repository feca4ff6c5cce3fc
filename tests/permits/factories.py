"""Factories for the catalogue. ``ServiceItemFactory(published=True)`` etc. set the status only;
use ``permits.services.item_publish`` when a test needs a real version."""

import factory
from factory.django import DjangoModelFactory

from permits.models import (
    Audience,
    Category,
    DepartmentRole,
    FieldType,
    FormField,
    ItemDepartment,
    ItemStatus,
    MaterialRequirement,
    OnlineDepth,
    ServiceItem,
    ServiceModel,
)
from tests.departments.factories import DepartmentFactory, RegionFactory

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class ServiceItemFactory(DjangoModelFactory):
    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"11441200MB{n:06d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    category = Category.LICENSING
    audience = Audience.ENTERPRISE
    service_model = ServiceModel.SINGLE_DEPARTMENT
    region = factory.SubFactory(RegionFactory)
    lead_department = factory.SubFactory(
        DepartmentFactory, region=factory.SelfAttribute("..region")
    )
    legal_days = 20
    promised_days = 5
    online_depth = OnlineDepth.FULL_ONLINE
    conditions = factory.Faker("paragraph")
    status = ItemStatus.DRAFT

    class Params:
        published = factory.Trait(status=ItemStatus.PUBLISHED)
        suspended = factory.Trait(status=ItemStatus.SUSPENDED)
        retired = factory.Trait(status=ItemStatus.RETIRED)

    @factory.post_generation
    def with_lead(self, create, extracted, **kwargs):
        """The lead department's row in ``departments`` (pass ``with_lead=False`` to skip)."""
        if create and extracted is not False:
            ItemDepartment.objects.create(
                item=self,
                department=self.lead_department,
                role=DepartmentRole.LEAD,
                position=0,
                time_limit_days=self.promised_days,
                stages=["undertake"],
            )


class ItemDepartmentFactory(DjangoModelFactory):
    class Meta:
        model = ItemDepartment

    item = factory.SubFactory(ServiceItemFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = DepartmentRole.PARALLEL
    position = factory.Sequence(lambda n: n + 1)
    time_limit_days = 3
    stages = factory.LazyFunction(lambda: ["undertake"])


class MaterialRequirementFactory(DjangoModelFactory):
    class Meta:
        model = MaterialRequirement

    item = factory.SubFactory(ServiceItemFactory)
    name = factory.Sequence(lambda n: f"申请材料{n}")
    required = True
    accepted_types = factory.LazyFunction(lambda: ["pdf", "jpg"])
    position = factory.Sequence(lambda n: n)


class FormFieldFactory(DjangoModelFactory):
    class Meta:
        model = FormField

    item = factory.SubFactory(ServiceItemFactory)
    name = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"字段{n}")
    type = FieldType.TEXT
    position = factory.Sequence(lambda n: n)
