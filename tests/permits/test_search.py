from permits.search import build_search_text, search_terms, split_keywords
from tests.permits.factories import ServiceItemFactory


def test_split_keywords_on_commas_spaces_and_enumeration_comma():
    assert split_keywords("开办企业，营业执照、设立 公司,印章;税务") == [
        "开办企业",
        "营业执照",
        "设立",
        "公司",
        "印章",
        "税务",
    ]


def test_search_text_has_name_full_pinyin_and_initials_per_phrase():
    text = build_search_text(name="企业开办", keywords="营业执照、公章", code="ABC-123456")
    words = text.split()
    assert words[:3] == ["企业开办", "qiyekaiban", "qykb"]
    assert {"营业执照", "yingyezhizhao", "yyzz", "公章", "gongzhang", "gz"} <= set(words)
    assert "abc-123456" in words


def test_non_chinese_characters_are_kept_lower_case():
    assert build_search_text(name="ICP备案").split() == ["icp备案", "icpbeian", "icpba"]


def test_search_terms_lower_case_and_split():
    assert search_terms("  QYKB  营业执照 ") == ["qykb", "营业执照"]
    assert search_terms("") == []


def test_search_text_is_kept_up_to_date_on_save(db):
    item = ServiceItemFactory(name="企业开办", keywords="")
    assert "qykb" in item.search_text
    item.name = "食品经营许可"
    item.keywords = "餐饮"
    item.save(update_fields=["name", "keywords"])
    item.refresh_from_db()
    assert "spjyxk" in item.search_text
    assert "cy" in item.search_text.split()
    assert "qykb" not in item.search_text
