"""The back office's home (/office/): staff only; shows departments and roles."""

import pytest
from django.urls import reverse

from departments.models import Level, Role, Stage
from tests.departments.factories import DepartmentFactory, RegionFactory, UserFactory, grant
from tests.permits.applicant_factories import HandlerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_url():
    assert reverse("workflow:home") == "/office/"


def test_anonymous_goes_to_login(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/office/")


@pytest.mark.parametrize("who", ["person", "handler"])
def test_citizens_and_handlers_are_refused(client, who):
    user = PersonFactory().user if who == "person" else HandlerFactory().person.user
    client.force_login(user)
    assert client.get("/office/").status_code == 403


def test_staff_see_departments_and_roles(client, django_assert_max_num_queries):
    city = RegionFactory(code="445300", name="云浮市", level=Level.CITY)
    county = RegionFactory(code="445381", name="罗定市", level=Level.COUNTY, parent=city)
    amr = DepartmentFactory(name="云浮市市场监督管理局", region=city)
    centre = DepartmentFactory(name="云浮市政务服务和数据管理局", region=city)
    user = UserFactory()
    grant(user, amr, Role.REVIEWER, stage=Stage.CHECK)
    grant(user, amr, Role.HEAD)
    grant(user, centre, Role.SUPERVISOR, region=county)
    client.force_login(user)

    response = client.get("/office/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "云浮市市场监督管理局" in html
    assert "审核" in html  # the reviewer's stage
    assert "罗定市" in html  # the supervised region
    assert "工作台" in html


def test_superuser_without_roles(client):
    admin = UserFactory()
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/office/").status_code == 200
