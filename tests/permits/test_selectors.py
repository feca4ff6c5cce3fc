import pytest

from permits.models import Audience, Category, ItemStatus, OnlineDepth, ServiceItem, ServiceModel
from permits.selectors import category_counts, item_get_visible, item_popular, item_search
from tests.departments.factories import DepartmentFactory, RegionFactory
from tests.permits.factories import (
    FormFieldFactory,
    ItemDepartmentFactory,
    MaterialRequirementFactory,
    ServiceItemFactory,
)

pytestmark = pytest.mark.django_db


def codes(qs):
    return [i.code for i in qs]


@pytest.fixture
def qykb():
    return ServiceItemFactory(
        code="QYKB-000001",
        name="企业开办",
        keywords="营业执照、公司设立，印章刻制",
        published=True,
        popularity=50,
    )


class TestSearch:
    def test_by_name(self, qykb):
        ServiceItemFactory(name="食品经营许可", published=True)
        assert codes(item_search(search="企业")) == [qykb.code]

    def test_by_keyword(self, qykb):
        assert codes(item_search(search="印章")) == [qykb.code]

    @pytest.mark.parametrize("query", ["qykb", "QYKB", "qiye", "qiyekaiban", "yyzz", "yinzhang"])
    def test_by_pinyin_and_initials(self, qykb, query):
        ServiceItemFactory(name="食品经营许可", published=True)
        assert codes(item_search(search=query)) == [qykb.code]

    def test_every_term_must_match(self, qykb):
        assert codes(item_search(search="qykb 营业执照")) == [qykb.code]
        assert codes(item_search(search="qykb 餐饮")) == []

    def test_by_code(self, qykb):
        assert codes(item_search(search="qykb-000001")) == [qykb.code]

    def test_only_published_and_suspended_are_visible(self):
        shown = [
            ServiceItemFactory(name="企业开办甲", status=ItemStatus.PUBLISHED),
            ServiceItemFactory(name="企业开办乙", status=ItemStatus.SUSPENDED),
        ]
        ServiceItemFactory(name="企业开办丙", status=ItemStatus.DRAFT)
        ServiceItemFactory(name="企业开办丁", status=ItemStatus.RETIRED)
        assert sorted(codes(item_search(search="qykb"))) == sorted(i.code for i in shown)

    def test_ordered_by_popularity_then_code(self):
        a = ServiceItemFactory(code="AAAAAA-1", popularity=1, published=True)
        b = ServiceItemFactory(code="BBBBBB-1", popularity=9, published=True)
        c = ServiceItemFactory(code="CCCCCC-1", popularity=1, published=True)
        assert codes(item_search()) == [b.code, a.code, c.code]


class TestFilters:
    def test_department_matches_lead_or_participant(self):
        tax = DepartmentFactory(code="yf-tax")
        led = ServiceItemFactory(lead_department=tax, published=True)
        joined = ServiceItemFactory(published=True)
        ItemDepartmentFactory(item=joined, department=tax)
        ServiceItemFactory(published=True)
        # Two participating rows for one item must not duplicate it.
        ItemDepartmentFactory(item=joined, department=tax, role="consult")
        assert sorted(codes(item_search(department="yf-tax"))) == sorted([led.code, joined.code])

    def test_region_matches_item_region_code(self):
        luoding = RegionFactory(code="445381", name="罗定市")
        mine = ServiceItemFactory(region=luoding, published=True)
        ServiceItemFactory(published=True)
        assert codes(item_search(region="445381")) == [mine.code]


class TestRegionCatalogue:
    """Issue 14 item 7: a county serves its own items and the city's it does not implement."""

    @pytest.fixture
    def regions(self):
        city = RegionFactory(code="445300", name="云浮市", level="city")
        yunan = RegionFactory(code="445303", name="云安区", parent=city)
        luoding = RegionFactory(code="445381", name="罗定市", parent=city)
        town = RegionFactory(code="445381001", name="罗城街道", level="town", parent=luoding)
        return city, yunan, luoding, town

    @pytest.fixture
    def catalogue(self, regions):
        city, yunan, luoding, town = regions

        def item(code, name, region, **kw):
            return ServiceItemFactory(code=code, name=name, region=region, published=True, **kw)

        return {
            "city_qykb": item("445300-SCJG-QYKB", "企业开办", city, popularity=9),
            "city_food": item("445300-SCJG-SPJYXK", "食品经营许可", city, popularity=8),
            "city_jzz": item("445300-GAJ-JZZ", "居住证签注", city, popularity=7),
            "city_draft_only": item("445300-GAJ-HKQY", "户口迁移", city, popularity=6),
            # 罗定市 implements 企业开办 under the same code stem, 食品经营许可 under the same name
            "ld_qykb": item("445381-SCJG-QYKB", "企业开办（罗定）", luoding, popularity=1),
            "ld_food": item("445381-SCJG-SPJY", "食品经营许可", luoding, popularity=2),
            "ld_draft": ServiceItemFactory(
                code="445381-GAJ-HKQY", name="户口迁移", region=luoding, status=ItemStatus.DRAFT
            ),
            "town_jzz": item("445381001-GAJ-JZZ", "居住证签注", town, popularity=3),
        }

    def test_county_without_own_items_shows_the_citys(self, catalogue):
        assert codes(item_search(region="445303")) == [
            "445300-SCJG-QYKB",
            "445300-SCJG-SPJYXK",
            "445300-GAJ-JZZ",
            "445300-GAJ-HKQY",
        ]

    def test_county_own_item_replaces_the_citys(self, catalogue):
        # a draft of the county's does not hide the city's published item
        assert codes(item_search(region="445381")) == [
            "445300-GAJ-JZZ",
            "445300-GAJ-HKQY",
            "445381-SCJG-SPJY",
            "445381-SCJG-QYKB",
        ]

    def test_town_walks_up_two_levels(self, catalogue):
        assert codes(item_search(region="445381001")) == [
            "445300-GAJ-HKQY",
            "445381001-GAJ-JZZ",
            "445381-SCJG-SPJY",
            "445381-SCJG-QYKB",
        ]

    def test_city_shows_only_its_own(self, catalogue):
        assert codes(item_search(region="445300")) == [
            "445300-SCJG-QYKB",
            "445300-SCJG-SPJYXK",
            "445300-GAJ-JZZ",
            "445300-GAJ-HKQY",
        ]

    def test_unknown_region_matches_nothing(self, catalogue):
        assert codes(item_search(region="999999")) == []

    def test_query_count_is_constant(self, regions, catalogue, django_assert_num_queries):
        # one for the region chain, one for the list
        with django_assert_num_queries(2):
            codes(item_search(region="445381001"))
        for n in range(5):
            ServiceItemFactory(code=f"445300-X-{n}", region=regions[0], published=True)
            ServiceItemFactory(code=f"445381-X-{n}", region=regions[2], published=True)
        with django_assert_num_queries(2):
            assert len(codes(item_search(region="445381001"))) == 9

    def test_audience_person_includes_both(self):
        person = ServiceItemFactory(audience=Audience.PERSON, published=True)
        both = ServiceItemFactory(audience=Audience.BOTH, published=True)
        ServiceItemFactory(audience=Audience.ENTERPRISE, published=True)
        assert sorted(codes(item_search(audience="person"))) == sorted([person.code, both.code])
        assert codes(item_search(audience="both")) == [both.code]

    def test_category_online_depth_service_model(self):
        hit = ServiceItemFactory(
            category=Category.CERTIFICATE,
            online_depth=OnlineDepth.WINDOW_ONLY,
            service_model=ServiceModel.CORE_DEPARTMENT,
            published=True,
        )
        ServiceItemFactory(category=Category.CERTIFICATE, published=True)
        assert codes(item_search(category="certificate", online_depth="window_only")) == [hit.code]
        assert codes(item_search(service_model="core_department")) == [hit.code]

    def test_unknown_value_matches_nothing(self):
        ServiceItemFactory(published=True)
        assert codes(item_search(category="nonsense")) == []


def test_list_query_count_is_constant(django_assert_num_queries):
    for _ in range(5):
        ServiceItemFactory(published=True)
    with django_assert_num_queries(1):
        rows = [(i.lead_department.name, i.region.code) for i in item_search()]
    assert len(rows) == 5


class TestGetVisible:
    def test_prefetches_everything_the_guide_shows(self, django_assert_num_queries):
        item = ServiceItemFactory(published=True)
        ItemDepartmentFactory(item=item)
        m = MaterialRequirementFactory(item=item)
        m.departments.add(item.lead_department)
        FormFieldFactory(item=item)
        with django_assert_num_queries(5):
            got = item_get_visible(code=item.code)
            assert [d.department.code for d in got.departments.all()][0] == (
                item.lead_department.code
            )
            assert [d.code for mat in got.materials.all() for d in mat.departments.all()]
            assert len(got.form_fields.all()) == 1
            assert got.region.code and got.lead_department.name

    @pytest.mark.parametrize("status", [ItemStatus.DRAFT, ItemStatus.RETIRED])
    def test_draft_and_retired_are_not_found(self, status):
        item = ServiceItemFactory(status=status)
        with pytest.raises(ServiceItem.DoesNotExist):
            item_get_visible(code=item.code)

    def test_unknown_code_not_found(self):
        with pytest.raises(ServiceItem.DoesNotExist):
            item_get_visible(code="NOPE-000000")

    def test_suspended_is_visible(self):
        item = ServiceItemFactory(suspended=True)
        assert item_get_visible(code=item.code) == item


def test_item_popular_limit_and_region():
    region = RegionFactory(code="445302")
    top = [ServiceItemFactory(region=region, popularity=p, published=True) for p in (3, 9, 5)]
    ServiceItemFactory(popularity=100, published=True)
    ServiceItemFactory(region=region, popularity=1000, status=ItemStatus.RETIRED)
    assert codes(item_popular(limit=2, region="445302")) == [top[1].code, top[2].code]
    assert len(item_popular()) == 4


def test_category_counts(django_assert_num_queries):
    ServiceItemFactory(category=Category.LICENSING, published=True)
    ServiceItemFactory(category=Category.LICENSING, suspended=True)
    ServiceItemFactory(category=Category.LICENSING, retired=True)
    ServiceItemFactory(category=Category.COMPLAINT, published=True)
    with django_assert_num_queries(1):
        counts = category_counts()
    by = {c["category"]: c for c in counts}
    assert [c["category"] for c in counts] == list(Category.values)
    assert by["licensing"] == {"category": "licensing", "name": "行政许可", "count": 2}
    assert by["complaint"]["count"] == 1
    assert by["petition"]["count"] == 0
