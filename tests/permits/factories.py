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
    TimeLimitUnit,
    TimeoutPolicy,
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
    # A licensing item is published only with its legal basis (itemconfig.LEGAL_BASIS_REQUIRED).
    legal_basis = "《中华人民共和国行政许可法》第十二条"
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


# --- Complete items for the portal's guide tests (every field of the guide filled) -----------


class CompleteItemFactory(ServiceItemFactory):
    """A published parallel item in the manner of 企业开办 with every guide field filled, its
    lead row, participating departments (one with three stages, one counting calendar days,
    one with deemed approval), materials of each kind and form fields.

    ``CompleteItemFactory(parallel_departments=2)`` changes how many departments take part;
    ``service_model=ServiceModel.CORE_DEPARTMENT`` makes them consulted departments instead.
    """

    name = "企业开办"
    keywords = "开办企业，营业执照、公司设立"
    category = Category.LICENSING
    audience = Audience.ENTERPRISE
    service_model = ServiceModel.PARALLEL
    status = ItemStatus.PUBLISHED
    legal_days = 20
    promised_days = 3
    online_depth = OnlineDepth.ONLINE_PREREVIEW
    onsite_inspection = True
    window_acceptance = True
    is_free = True
    fees = "不收费"
    legal_basis = "《中华人民共和国市场主体登记管理条例》第三条\n《中华人民共和国公司法》第二十九条"
    conditions = "申请人应当具备完全民事行为能力；企业名称符合名称登记管理规定。"
    procedure = "网上申请 → 市场监管部门受理 → 各部门并联办理 → 决定 → 电子营业执照发放"
    result_name = "营业执照"
    result_validity_months = 360
    max_visits = 1
    enquiry_phone = "0766-8812345"
    complaint_phone = "0766-8898123"
    service_location = "云浮市政务服务中心一楼综合受理窗口"
    service_hours = "周一至周五 上午9:00-12:00，下午14:30-17:30（法定节假日除外）"

    @factory.post_generation
    def parallel_departments(self, create, extracted, **kwargs):
        if not create:
            return
        count = 5 if extracted is None else extracted
        role = (
            DepartmentRole.CONSULT
            if self.service_model == ServiceModel.CORE_DEPARTMENT
            else DepartmentRole.PARALLEL
        )
        for n in range(count):
            ItemDepartmentFactory(
                item=self,
                department=DepartmentFactory(region=self.region, name=f"协办部门{n + 1}局"),
                role=role,
                position=n + 1,
                duty=f"审查事项{n + 1}",
                time_limit_days=n + 1,
                time_limit_unit=(
                    TimeLimitUnit.CALENDAR_DAY if n == 1 else TimeLimitUnit.WORKING_DAY
                ),
                stages=["undertake", "check", "sign"] if n == 0 else ["undertake"],
                timeout_policy=(
                    TimeoutPolicy.DEEMED_APPROVAL if n == 2 else TimeoutPolicy.ESCALATE
                ),
            )

    @factory.post_generation
    def guide_materials(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        MaterialRequirementFactory(
            item=self,
            name="公司登记（备案）申请书",
            description="法定代表人签署",
            required=True,
            tolerable=False,
            accepted_types=["pdf"],
            max_size=5 * 1024 * 1024,
            copies="原件1份",
            source="申请人自备",
            position=1,
        )
        MaterialRequirementFactory(
            item=self,
            name="住所使用证明",
            required=True,
            tolerable=True,
            accepted_types=["pdf", "jpg", "png"],
            copies="复印件1份",
            source="产权单位出具",
            position=2,
        )
        MaterialRequirementFactory(
            item=self,
            name="公司章程",
            required=False,
            accepted_types=["ofd"],
            copies="原件1份",
            source="申请人自备",
            position=3,
        )

    @factory.post_generation
    def guide_form_fields(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        FormFieldFactory(item=self, name="company_name", label="拟设立企业名称", position=1)
        FormFieldFactory(
            item=self,
            name="company_type",
            label="企业类型",
            type=FieldType.CHOICE,
            choices=["有限责任公司", "股份有限公司", "个人独资企业"],
            position=2,
        )
        FormFieldFactory(
            item=self,
            name="registered_capital",
            label="注册资本（万元）",
            type=FieldType.NUMBER,
            required=False,
            help_text="认缴出资额",
            position=3,
        )
