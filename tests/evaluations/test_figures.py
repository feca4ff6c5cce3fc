"""The published figures from a known set of ratings (a worked example), their constant query
count for 10 or 1,000 ratings, and comments shown only once reviewed, masked."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Role
from evaluations import figures, moderation
from evaluations.models import Rating, Rectification
from tests.evaluations.helpers import client
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db

NOV = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
OCT = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)


def _rating(n, dept, level, *, at=NOV, channel="online", **kw):
    return Rating(
        subject_kind="case",
        subject_id=n,
        department=dept,
        department_ids=[dept.pk],
        region=dept.region,
        channel=channel,
        level=level,
        source="site",
        rated_at=at,
        **kw,
    )


def _worked_example():
    dept = f.department(name="市场监督管理局")
    other = f.department(name="公安局")
    rows = [
        _rating(1, dept, 5),
        _rating(2, dept, 5),
        _rating(3, dept, 4, channel="window"),
        _rating(4, dept, 3),
        _rating(5, dept, 2, reasons=["overdue", "bad_attitude"]),
        _rating(6, dept, 1, reasons=["overdue"]),
        _rating(7, dept, 3, is_default=True),  # not counted
        _rating(8, dept, 1, set_aside=True, reasons=["other"]),  # not counted
        _rating(9, dept, 4, at=OCT),
        _rating(10, other, 1, reasons=["repeated_visits"]),
    ]
    Rating.objects.bulk_create(rows)
    bad = Rating.objects.get(subject_id=5)
    Rectification.objects.create(rating=bad, department=dept, status="done", on_time=True)
    late = Rating.objects.get(subject_id=6)
    Rectification.objects.create(rating=late, department=dept, status="done", on_time=False)
    return dept, other


def test_worked_example_of_a_departments_figures():
    dept, _other = _worked_example()
    result = figures.figures(start=date(2026, 1, 1), end=date(2026, 12, 31), department_id=dept.pk)
    assert [m.month for m in result.months] == [date(2026, 10, 1), date(2026, 11, 1)]
    nov = result.months[1]
    assert nov.total == 6
    assert nov.by_level == {5: 2, 4: 1, 3: 1, 2: 1, 1: 1}
    assert nov.by_channel == {"online": 5, "window": 1}
    assert nov.satisfaction_rate == 66.7  # 4 of 6
    assert nov.bad == 2 and nov.on_time_share == 50.0  # one of two rectified on time
    assert nov.average_score == 6.7  # (5+5+4+3+2+1) / 6 × 2
    assert result.overall.total == 7 and result.overall.average_score == 6.9  # 24 / 7 × 2
    assert [(tag, n) for tag, _label, n in result.top_reasons] == [
        ("overdue", 2),
        ("bad_attitude", 1),
    ]
    city = figures.figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert city.overall.total == 8 and city.overall.bad == 3


@pytest.mark.parametrize("n", [10, 1000])
def test_figures_read_in_a_constant_number_of_queries(n):
    dept = f.department(name="住建局")
    Rating.objects.bulk_create(
        [
            _rating(
                i,
                dept,
                1 + i % 5,
                reasons=["overdue"] if i % 5 < 2 else [],
                comment="好",
                comment_status="published",
                comment_published="好",
            )
            for i in range(n)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        result = figures.figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert result.overall.total == n
    assert len(queries) == 3


def test_comments_are_published_only_after_review_and_masked(settings):
    dept = f.department(name="人社局")
    staff = f.staff(dept, Role.REVIEWER)
    staff.first_name, staff.last_name = "三", "张"
    staff.save()
    head = f.staff(dept, Role.HEAD)
    text = "窗口张三态度差，我的电话13812345678，身份证440102199003071234，座机0766-8881234"
    Rating.objects.bulk_create(
        [
            _rating(1, dept, 1, staff=staff, comment=text, comment_status="pending"),
            _rating(2, dept, 5, comment="很好", comment_status="pending"),
        ]
    )
    public = client().get(f"/ratings/{dept.code}/?year=2026")
    assert public.status_code == 200
    assert "13812345678" not in public.content.decode() and "很好" not in public.content.decode()
    masked = moderation.mask_comment(text, names=["张三"])
    assert "13812345678" not in masked and "440102199003071234" not in masked
    assert "8881234" not in masked and "张三" not in masked
    assert "138****5678" in masked
    rating = Rating.objects.get(subject_id=1)
    page = client()
    page.force_login(head)
    assert page.get("/office/ratings/comments/").status_code == 200
    page.post("/office/ratings/comments/", {"rating": rating.pk, "publish": "1", "text": text})
    rating.refresh_from_db()
    assert rating.comment_status == "published" and rating.comment_published == masked
    html = client().get(f"/ratings/{dept.code}/?year=2026").content.decode()
    assert masked in html and "13812345678" not in html and "很好" not in html
    # A stranger cannot moderate.
    outsider, _ = f.citizen()
    page.force_login(outsider)
    assert page.get("/office/ratings/comments/").status_code == 404


def test_the_supervision_board_has_the_ratings_panel_for_heads_and_supervisors():
    dept, other = _worked_example()
    head = f.staff(dept, Role.HEAD)
    page = client()
    page.force_login(head)
    response = page.get("/office/supervision/?start=2026-11-01&end=2026-11-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-panel="ratings.figures"' in html
    assert 'data-testid="board-rating-figures"' in html
    # The head sees their department only: 6 counted ratings in November, not the other's.
    assert 'data-testid="rating-total">6<' in html
