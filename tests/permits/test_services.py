import pytest
from django.core.exceptions import ValidationError

from permits.exceptions import ItemConfigurationInvalid, ItemNotAccepting, ItemTransitionRefused
from permits.models import ItemDepartment, ItemStatus, ItemVersion, ServiceItem
from permits.selectors import item_get_visible, item_search
from permits.services import (
    item_assert_accepting,
    item_publish,
    item_resume,
    item_retire,
    item_suspend,
)

pytestmark = pytest.mark.django_db


class TestPublish:
    def test_freezes_the_whole_configuration(self, parallel_item, admin_user):
        version = item_publish(item=parallel_item, actor=admin_user)

        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.PUBLISHED
        assert parallel_item.current_version == version
        assert version.number == 1
        assert version.published_by == admin_user
        snap = version.snapshot
        assert snap["format"] == 1
        assert set(snap) == {"format", "item", "departments", "materials", "form_fields"}
        item = snap["item"]
        assert item["code"] == "445300-SCJ-QYKB"
        assert item["region"] == "445300" and item["region_name"] == "云浮市"
        assert item["lead_department"] == "yf-scjg"
        assert item["promised_days"] == 3 and item["legal_days"] == 20
        for field in ("conditions", "fees", "legal_basis", "max_visits", "window_acceptance"):
            assert field in item
        assert "status" not in item and "search_text" not in item
        assert [(d["code"], d["role"]) for d in snap["departments"]] == [
            ("yf-scjg", "lead"),
            ("yf-gaj", "parallel"),
            ("yf-sw", "parallel"),
        ]
        assert snap["departments"][2]["stages"] == ["undertake", "check", "sign"]
        assert set(snap["departments"][0]) == {
            "code",
            "name",
            "role",
            "position",
            "duty",
            "time_limit_days",
            "time_limit_unit",
            "stages",
            "timeout_policy",
        }
        first = snap["materials"][0]
        assert first["id"] == parallel_item.materials.get(name="企业设立登记申请书").pk
        assert first["departments"] == ["yf-scjg"]
        assert first["accepted_types"] == ["pdf"]
        assert snap["materials"][1]["tolerable"] is True
        assert [f["name"] for f in snap["form_fields"]] == ["company_name", "company_type"]
        assert snap["form_fields"][1]["choices"] == ["有限责任公司"]

    def test_unchanged_item_reuses_its_version(self, parallel_item, admin_user):
        first = item_publish(item=parallel_item, actor=admin_user)
        again = item_publish(item=parallel_item, actor=admin_user)
        assert again == first
        assert ItemVersion.objects.filter(item=parallel_item).count() == 1

    def test_changed_item_gets_the_next_version(self, parallel_item, admin_user):
        first = item_publish(item=parallel_item, actor=admin_user)
        parallel_item.promised_days = 2
        parallel_item.save()
        second = item_publish(item=parallel_item, actor=admin_user)
        assert second.number == 2
        assert parallel_item.current_version == second
        first.refresh_from_db()
        assert first.snapshot["item"]["promised_days"] == 3
        assert second.snapshot["item"]["promised_days"] == 2

    def test_invalid_item_is_not_published(self, parallel_item, admin_user):
        ItemDepartment.objects.filter(item=parallel_item, role="parallel").delete()
        with pytest.raises(ItemConfigurationInvalid) as exc:
            item_publish(item=parallel_item, actor=admin_user)
        assert exc.value.fields == {
            "departments": ["并联审批事项至少需要一个协办（并联审查）部门。"]
        }
        assert str(exc.value.message) == "事项配置不符合规则。"
        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.DRAFT
        assert not ItemVersion.objects.exists()

    def test_retired_item_cannot_be_published(self, parallel_item, admin_user):
        item_publish(item=parallel_item, actor=admin_user)
        item_retire(item=parallel_item, actor=admin_user)
        with pytest.raises(ItemTransitionRefused, match="已废止的事项不能重新发布。"):
            item_publish(item=parallel_item, actor=admin_user)


class TestVersionsAreImmutable:
    def test_save_and_delete_refused(self, parallel_item, admin_user):
        version = item_publish(item=parallel_item, actor=admin_user)
        version.snapshot = {}
        with pytest.raises(ValidationError):
            version.save()
        with pytest.raises(ValidationError):
            version.delete()
        with pytest.raises(ValidationError):
            ItemVersion.objects.filter(pk=version.pk).update(snapshot={})
        with pytest.raises(ValidationError):
            ItemVersion.objects.filter(pk=version.pk).delete()
        version.refresh_from_db()
        assert version.snapshot["item"]["code"] == parallel_item.code

    def test_editing_the_item_leaves_the_snapshot(self, parallel_item, admin_user):
        version = item_publish(item=parallel_item, actor=admin_user)
        before = version.snapshot
        parallel_item.name = "企业开办（新）"
        parallel_item.save()
        parallel_item.materials.all().delete()
        parallel_item.form_fields.update(label="改了")
        version.refresh_from_db()
        assert version.snapshot == before

    def test_item_with_versions_cannot_be_deleted(self, parallel_item, admin_user):
        from django.db.models import ProtectedError

        item_publish(item=parallel_item, actor=admin_user)
        with pytest.raises(ProtectedError):
            ServiceItem.objects.filter(pk=parallel_item.pk).delete()


class TestLifecycle:
    def test_published_item_accepts(self, parallel_item, admin_user):
        version = item_publish(item=parallel_item, actor=admin_user)
        assert item_assert_accepting(parallel_item) == version.pk

    def test_draft_refuses(self, parallel_item):
        with pytest.raises(ItemNotAccepting, match="该事项当前不受理申请。"):
            item_assert_accepting(parallel_item)

    def test_suspended_refuses_new_applications_but_stays_visible(self, parallel_item, admin_user):
        item_publish(item=parallel_item, actor=admin_user)
        item_suspend(item=parallel_item, actor=admin_user)
        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.SUSPENDED
        with pytest.raises(ItemNotAccepting) as exc:
            item_assert_accepting(parallel_item)
        assert exc.value.code == "conflict"
        assert str(exc.value.message).startswith("该事项已暂停办理")
        assert item_get_visible(code=parallel_item.code) == parallel_item

    def test_resume_publishes_edits_made_while_suspended(self, parallel_item, admin_user):
        item_publish(item=parallel_item, actor=admin_user)
        item_suspend(item=parallel_item, actor=admin_user)
        parallel_item.promised_days = 1
        parallel_item.save()
        version = item_resume(item=parallel_item, actor=admin_user)
        assert version.number == 2
        assert item_assert_accepting(parallel_item) == version.pk

    def test_retired_vanishes(self, parallel_item, admin_user):
        version = item_publish(item=parallel_item, actor=admin_user)
        item_retire(item=parallel_item, actor=admin_user)
        parallel_item.refresh_from_db()
        assert parallel_item.status == ItemStatus.RETIRED
        assert not item_search(search="qykb").exists()
        with pytest.raises(ServiceItem.DoesNotExist):
            item_get_visible(code=parallel_item.code)
        with pytest.raises(ItemNotAccepting):
            item_assert_accepting(parallel_item)
        assert ItemVersion.objects.get(pk=version.pk)  # kept for the cases in flight

    @pytest.mark.parametrize(
        ("action", "status", "message"),
        [
            (item_suspend, ItemStatus.DRAFT, "只有已发布的事项才能暂停。"),
            (item_suspend, ItemStatus.SUSPENDED, "只有已发布的事项才能暂停。"),
            (item_resume, ItemStatus.PUBLISHED, "只有已暂停的事项才能恢复。"),
            (item_retire, ItemStatus.DRAFT, "只有已发布或已暂停的事项才能废止。"),
            (item_retire, ItemStatus.RETIRED, "只有已发布或已暂停的事项才能废止。"),
        ],
    )
    def test_refused_moves(self, parallel_item, admin_user, action, status, message):
        ServiceItem.objects.filter(pk=parallel_item.pk).update(status=status)
        with pytest.raises(ItemTransitionRefused, match=message):
            action(item=parallel_item, actor=admin_user)
