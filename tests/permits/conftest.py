import pytest
from django.contrib.auth import get_user_model

from permits.models import DepartmentRole, ServiceModel
from tests.departments.factories import DepartmentFactory, RegionFactory
from tests.permits.factories import (
    FormFieldFactory,
    ItemDepartmentFactory,
    MaterialRequirementFactory,
    ServiceItemFactory,
)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("catadmin", "catadmin@example.com", "x")


@pytest.fixture
def parallel_item(db):
    """企业开办-like draft: a parallel item led by 市场监管 with 公安 and 税务 in parallel, two
    materials and two form fields. Valid, not yet published."""
    city = RegionFactory(code="445300", name="云浮市", level="city")
    scjg = DepartmentFactory(code="yf-scjg", name="云浮市市场监督管理局", region=city)
    item = ServiceItemFactory(
        code="445300-SCJ-QYKB",
        name="企业开办",
        keywords="营业执照、公章刻制",
        service_model=ServiceModel.PARALLEL,
        region=city,
        lead_department=scjg,
        legal_days=20,
        promised_days=3,
    )
    gaj = DepartmentFactory(code="yf-gaj", name="云浮市公安局", region=city)
    sw = DepartmentFactory(code="yf-sw", name="国家税务总局云浮市税务局", region=city)
    ItemDepartmentFactory(item=item, department=gaj, role=DepartmentRole.PARALLEL, position=1)
    ItemDepartmentFactory(
        item=item,
        department=sw,
        role=DepartmentRole.PARALLEL,
        position=2,
        stages=["undertake", "check", "sign"],
    )
    form = MaterialRequirementFactory(item=item, name="企业设立登记申请书", accepted_types=["pdf"])
    form.departments.add(scjg)
    MaterialRequirementFactory(item=item, name="住所使用证明", tolerable=True)
    FormFieldFactory(item=item, name="company_name", label="企业名称")
    FormFieldFactory(
        item=item, name="company_type", label="企业类型", type="choice", choices=["有限责任公司"]
    )
    return item
