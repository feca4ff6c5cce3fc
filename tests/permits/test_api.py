"""The catalogue API: contract fields, filters, errors, query counts, and the OpenAPI schema."""

import pytest

from permits.models import Audience, Category, ItemStatus
from permits.services import item_publish, item_retire, item_suspend
from tests.departments.factories import DepartmentFactory, RegionFactory
from tests.permits.factories import ItemDepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/items/"

SUMMARY_FIELDS = {
    "code",
    "name",
    "category",
    "category_name",
    "audience",
    "service_model",
    "region",
    "region_name",
    "lead_department",
    "legal_days",
    "promised_days",
    "online_depth",
}


def detail_url(code):
    return f"/api/v1/items/{code}/"


@pytest.fixture
def published(parallel_item):
    item_publish(item=parallel_item, actor=None)
    return parallel_item


class TestList:
    def test_is_public_and_has_the_contract_fields(self, client, published):
        response = client.get(LIST)
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= {"count", "next", "previous", "results"}
        assert body["count"] == 1
        [row] = body["results"]
        assert set(row) == SUMMARY_FIELDS
        assert row == {
            "code": "445300-SCJ-QYKB",
            "name": "企业开办",
            "category": "licensing",
            "category_name": "行政许可",
            "audience": "enterprise",
            "service_model": "parallel",
            "region": "445300",
            "region_name": "云浮市",
            "lead_department": {"code": "yf-scjg", "name": "云浮市市场监督管理局"},
            "legal_days": 20,
            "promised_days": 3,
            "online_depth": "full_online",
        }

    @pytest.mark.parametrize("query", ["qykb", "企业开办", "营业执照", "qiye", "QYKB"])
    def test_search_by_name_keyword_and_pinyin(self, client, published, query):
        ServiceItemFactory(name="食品经营许可", published=True)
        codes = [r["code"] for r in client.get(LIST, {"search": query}).json()["results"]]
        assert codes == ["445300-SCJ-QYKB"]

    def test_filters(self, client, published):
        luoding = RegionFactory(code="445381", name="罗定市")
        person = ServiceItemFactory(
            region=luoding,
            audience=Audience.PERSON,
            category=Category.CERTIFICATE,
            online_depth="window_only",
            service_model="single_department",
            published=True,
        )
        both = ServiceItemFactory(region=luoding, audience=Audience.BOTH, published=True)

        def codes(**params):
            return sorted(r["code"] for r in client.get(LIST, params).json()["results"])

        assert codes(region="445381") == sorted([person.code, both.code])
        assert codes(audience="person") == sorted([person.code, both.code])
        assert codes(audience="enterprise") == sorted([published.code, both.code])
        assert codes(category="certificate") == [person.code]
        assert codes(online_depth="window_only") == [person.code]
        assert codes(service_model="parallel") == [published.code]
        # department: the lead or any participating department
        assert codes(department="yf-gaj") == [published.code]
        assert codes(department="yf-scjg") == [published.code]

    def test_suspended_listed_retired_and_draft_not(self, client, published, admin_user):
        ServiceItemFactory(name="草稿事项")
        other = ServiceItemFactory(published=True)
        item_suspend(item=published, actor=admin_user)
        ServiceItemFactory(status=ItemStatus.RETIRED)
        codes = sorted(r["code"] for r in client.get(LIST).json()["results"])
        assert codes == sorted([published.code, other.code])

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"category": "shopping"}, "category"),
            ({"audience": "aliens"}, "audience"),
            ({"online_depth": "telepathy"}, "online_depth"),
            ({"service_model": "x"}, "service_model"),
            ({"department": "no-such-dept"}, "department"),
            ({"region": "000000"}, "region"),
            ({"search": "x" * 101}, "search"),
        ],
    )
    def test_invalid_filter_is_400_in_the_contract_shape(self, client, published, params, field):
        response = client.get(LIST, params)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert body["detail"]
        assert list(body["fields"]) == [field]
        assert isinstance(body["fields"][field], list) and body["fields"][field][0]

    def test_pagination(self, client, db):
        for _ in range(25):
            ServiceItemFactory(published=True)
        body = client.get(LIST).json()
        assert body["count"] == 25 and len(body["results"]) == 20 and body["next"]
        body = client.get(LIST, {"page_size": 100}).json()
        assert len(body["results"]) == 25
        response = client.get(LIST, {"page": 9})
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    def test_a_bad_token_does_not_break_the_public_list(self, client, published):
        response = client.get(LIST, HTTP_AUTHORIZATION="Token nonsense")
        assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 500])
def test_list_runs_a_constant_number_of_queries(client, count, django_assert_num_queries):
    region = RegionFactory(code="445300")
    lead = DepartmentFactory(code="yf-lead", region=region)
    ServiceItemFactory.create_batch(
        count, region=region, lead_department=lead, published=True, with_lead=False
    )
    # count + one page, for 5 items as for 500
    with django_assert_num_queries(2):
        response = client.get(LIST, {"page_size": 100, "search": "测试"})
    assert response.json()["count"] == count
    # a department filter adds one existence check, whatever the size
    with django_assert_num_queries(3):
        client.get(LIST, {"page_size": 100, "department": "yf-lead"})


class TestDetail:
    def test_whole_guide(self, client, published):
        ItemDepartmentFactory  # noqa: B018 - documented factories exist for extra rows
        response = client.get(detail_url(published.code))
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= SUMMARY_FIELDS
        assert body["consult_mode"] == ""
        assert body["status"] == "published" and body["accepts_applications"] is True
        assert body["version"] == 1
        for field in ("conditions", "legal_basis", "fees", "max_visits", "enquiry_phone"):
            assert field in body
        assert [(d["code"], d["role"], d["position"]) for d in body["departments"]] == [
            ("yf-scjg", "lead", 0),
            ("yf-gaj", "parallel", 1),
            ("yf-sw", "parallel", 2),
        ]
        dept = body["departments"][2]
        assert {"code", "name", "role", "position", "time_limit_days", "time_limit_unit"} <= set(
            dept
        )
        assert dept["stages"] == ["undertake", "check", "sign"]
        assert dept["name"] == "国家税务总局云浮市税务局"
        material = body["materials"][0]
        assert {"id", "name", "required", "tolerable", "accepted_types", "max_size"} <= set(
            material
        )
        assert material["id"] == published.current_version.snapshot["materials"][0]["id"]
        assert body["materials"][1]["tolerable"] is True
        fields = body["form_fields"]
        assert [f["name"] for f in fields] == ["company_name", "company_type"]
        assert {"name", "label", "type", "required", "choices"} <= set(fields[1])
        assert fields[1]["choices"] == ["有限责任公司"]

    def test_query_count(self, client, published, django_assert_num_queries):
        with django_assert_num_queries(5):
            client.get(detail_url(published.code))

    def test_suspended_item_says_so(self, client, published, admin_user):
        item_suspend(item=published, actor=admin_user)
        body = client.get(detail_url(published.code)).json()
        assert body["status"] == "suspended" and body["accepts_applications"] is False

    @pytest.mark.parametrize("state", ["draft", "retired", "missing"])
    def test_404_in_the_contract_shape(self, client, parallel_item, admin_user, state):
        code = parallel_item.code
        if state == "retired":
            item_publish(item=parallel_item, actor=admin_user)
            item_retire(item=parallel_item, actor=admin_user)
        elif state == "missing":
            code = "NOPE-000000"
        response = client.get(detail_url(code))
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "detail": "没有已发布的事项使用此编码。",
            "fields": {},
        }

    def test_english_on_request(self, client, published):
        response = client.get(detail_url("NOPE-000000"), HTTP_ACCEPT_LANGUAGE="en")
        assert response.json()["detail"] == "No published item has this code."


class TestSchema:
    def test_schema_generates_and_validates(self, client):
        from drf_spectacular.validation import validate_schema

        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        validate_schema(schema)  # raises on an invalid OpenAPI 3 document
        assert "/api/v1/items/" in schema["paths"]
        assert "/api/v1/items/{code}/" in schema["paths"]
        listing = schema["paths"]["/api/v1/items/"]["get"]
        names = {p["name"] for p in listing["parameters"]}
        assert {"search", "category", "department", "audience", "region"} <= names
        assert {"online_depth", "service_model", "page", "page_size"} <= names
        assert set(listing["responses"]) >= {"200", "400"}
        detail = schema["paths"]["/api/v1/items/{code}/"]["get"]
        assert set(detail["responses"]) >= {"200", "404"}
        components = schema["components"]["schemas"]
        assert set(components["ItemSummary"]["properties"]) >= SUMMARY_FIELDS
        assert "form_fields" in components["ItemDetail"]["properties"]

    def test_docs_use_local_assets_only(self, client):
        import re

        response = client.get("/api/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "swagger-ui" in html
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources
        for url in sources:
            assert not url.startswith(("http:", "https:", "//")), url
        assert any("drf_spectacular_sidecar" in url for url in sources)
        assert "cdn" not in html.lower()


class TestSchemaDescribesTheCode:
    """The OpenAPI document says what the views return and take (issue 7, item 9)."""

    @pytest.fixture
    def schema(self, client):
        return client.get("/api/schema/", {"format": "json"}).json()

    @pytest.mark.parametrize(
        ("path", "component", "position"),
        [
            # The case list pages by keyset (onestop.keyset): a cursor from the links.
            ("/api/v1/applications/", "PaginatedApplicationSummaryList", "cursor"),
            ("/api/v1/tasks/", "PaginatedTaskRowList", "page"),
            ("/api/v1/items/", "PaginatedItemSummaryList", "page"),
        ],
    )
    def test_lists_are_declared_in_the_paginated_envelope(self, schema, path, component, position):
        listing = schema["paths"][path]["get"]
        ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{component}"
        envelope = schema["components"]["schemas"][component]
        assert {"count", "next", "previous", "results"} <= set(envelope["properties"])
        assert {position, "page_size"} <= {p["name"] for p in listing["parameters"]}

    def test_every_body_has_one_content_type(self, schema):
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                body = operation.get("requestBody") if isinstance(operation, dict) else None
                if body is None:
                    continue
                types = list(body["content"])
                assert len(types) == 1, (method, path, types)
                expected = "multipart/form-data" if path.endswith("/materials/") else None
                assert types[0] == (expected or "application/json"), (method, path, types)
