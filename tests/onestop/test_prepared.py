"""onestop.prepared: a query compiled once per connection answers what the ORM would, with
the new values in its placeholders, and falls back to the ORM when its shape cannot be kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from logins.models import ApiToken
from logins.services import token_digest, token_issue
from onestop.prepared import _UNPREPARABLE, PreparedQuery, statement_text

pytestmark = pytest.mark.django_db

A = dt.datetime(2001, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC)
B = dt.datetime(2002, 1, 1, 0, 0, 0, 2, tzinfo=dt.UTC)
STAND_INS = ({"username": "~a~", "joined_before": A}, {"username": "~b~", "joined_before": B})


def _users(*, username: str, joined_before):
    return (
        get_user_model()
        .objects.filter(username=username, date_joined__lt=joined_before)
        .annotate(has_token=Exists(ApiToken.objects.filter(user_id=OuterRef("pk"))))
        .order_by("pk")
    )


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_the_kept_sql_answers_what_the_orm_answers_with_each_run_s_values():
    query = PreparedQuery(
        get_user_model(),
        _users,
        stand_ins=(
            {"username": "~a~", "joined_before": A},
            {"username": "~b~", "joined_before": B},
        ),
    )
    model = get_user_model()
    alice = model.objects.create_user(username="alice", password="x")
    bob = model.objects.create_user(username="bob", password="x")
    token_issue(user=bob, second_factor=False)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    earlier = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    found = query.first(username="alice", joined_before=later)
    assert query._prepared("default") is not _UNPREPARABLE
    assert found == alice and found.has_token is False
    with CaptureQueriesContext(connection) as ctx:
        found = query.first(username="bob", joined_before=later)
    assert found == bob and found.has_token is True and found.username == "bob"
    assert len(ctx) == 1 and "bob" in str(ctx.captured_queries[0]["sql"])
    assert query.first(username="bob", joined_before=earlier) is None
    assert query.first(username="nobody", joined_before=later) is None


def test_a_value_the_query_derives_is_not_kept_and_the_orm_answers():
    """``joined_before`` moved by a day inside the build: the two compilations differ where no
    stand-in is, so nothing is kept and each run builds the queryset."""

    def build(*, username, joined_before):
        return _users(username=username, joined_before=joined_before + dt.timedelta(days=1))

    query = PreparedQuery(
        get_user_model(),
        build,
        stand_ins=(
            {"username": "~a~", "joined_before": A},
            {"username": "~b~", "joined_before": B},
        ),
    )
    carol = get_user_model().objects.create_user(username="carol", password="x")
    today = dt.datetime.now(dt.UTC)
    assert query.first(username="carol", joined_before=today) == carol
    assert query._prepared("default") is _UNPREPARABLE
    assert query.first(username="carol", joined_before=today - dt.timedelta(days=3)) is None


def test_one_value_in_two_places_is_kept_and_fills_both():
    """``username`` is in the outer filter and in the subquery's: both placeholders get the
    run's value (a join's process and prefix are in both of its queries)."""
    users = get_user_model().objects

    def build(*, username):
        same = users.filter(username=username, pk=OuterRef("pk"))
        return users.filter(username=username).annotate(same=Exists(same)).order_by("pk")

    query = PreparedQuery(
        get_user_model(), build, stand_ins=({"username": "~a~"}, {"username": "~b~"})
    )
    dora = users.create_user(username="dora", password="x")
    found = query.first(username="dora")
    kept = query._prepared("default")
    assert kept is not _UNPREPARABLE
    assert [len(indexes) for indexes in kept[3].values()] == [2]
    assert found == dora and found.same is True
    users.create_user(username="erin", password="x")
    assert query.first(username="erin").username == "erin"
    assert query.first(username="fred") is None


def test_the_token_lookup_uses_the_digest_it_is_given():
    from logins.authentication import TOKEN_QUERY

    model = get_user_model()
    one = model.objects.create_user(username="one", password="x")
    two = model.objects.create_user(username="two", password="x")
    _, key_one = token_issue(user=one, second_factor=False)
    _, key_two = token_issue(user=two, second_factor=False)
    now = dt.datetime.now(dt.UTC)
    assert TOKEN_QUERY.first(now=now, digest=token_digest(key_one)).user == one
    assert TOKEN_QUERY.first(now=now, digest=token_digest(key_two)).user == two
    assert TOKEN_QUERY.first(now=now, digest=token_digest("forged")) is None


@pytest.mark.postgres  # PostgreSQL's locking SQL (SQLite has no FOR UPDATE)
def test_a_single_row_query_is_kept_and_run_without_a_limit_on_the_alias_it_names():
    model = get_user_model()
    alice = model.objects.create_user(username="alice", password="x")
    query = PreparedQuery(
        model,
        lambda pk: model.objects.select_for_update().filter(pk=pk).order_by(),
        stand_ins=({"pk": 2_000_000_001}, {"pk": 2_000_000_002}),
        single=True,
        alias="default",
    )
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as q:
        found = query.first(pk=alice.pk)
        missing = query.first(pk=alice.pk + 1000)
    assert found == alice and found.username == "alice"
    assert missing is None
    runs = [x["sql"] for x in q.captured_queries]
    # the kept SQL, prepared once in the session and executed twice with its value (Django
    # logs the EXECUTE with the value filled in)
    assert runs == [
        f"EXECUTE {runs[0].split()[1].split('(')[0]}({pk})" for pk in (alice.pk, alice.pk + 1000)
    ], runs
    read = statement_text(runs[0])
    assert read.startswith("SELECT") and '"auth_user"."id" = %s' in read
    assert "LIMIT" not in read and "FOR UPDATE" in read


@pytest.mark.postgres  # PostgreSQL's PREPARE
def test_a_prepared_query_is_prepared_again_in_a_new_session_and_runs_plain_when_turned_off(
    settings,
):
    model = get_user_model()
    alice = model.objects.create_user(username="alice", password="x")
    query = PreparedQuery(
        model,
        lambda pk: model.objects.filter(pk=pk).order_by(),
        stand_ins=({"pk": 2_000_000_001}, {"pk": 2_000_000_002}),
        single=True,
    )
    assert query.first(pk=alice.pk) == alice
    with connection.cursor() as cursor:
        # what a new session would lack: the statement prepared in this one
        cursor.execute("DEALLOCATE ALL")
    connections["default"].__dict__.pop("_onestop_prepared_session")  # as a reconnect leaves it
    with CaptureQueriesContext(connection) as q:
        assert query.first(pk=alice.pk) == alice
    assert len(q) == 1 and q.captured_queries[0]["sql"].startswith("EXECUTE onestop_q")
    settings.DB_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as q:
        assert query.first(pk=alice.pk).username == "alice"
    assert len(q) == 1 and q.captured_queries[0]["sql"].startswith("SELECT")


@pytest.mark.postgres  # PostgreSQL's PREPARE
def test_a_statement_postgres_will_not_prepare_runs_as_plain_sql_in_the_same_transaction():
    from django.db import transaction
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    model = get_user_model()
    alice = model.objects.create_user(username="alice", password="x")
    # "$2 IS NULL": PostgreSQL cannot infer the value's type and refuses the PREPARE
    query = PreparedQuery(
        model,
        lambda pk, a: (
            model.objects.filter(pk=pk)
            .annotate(tag=RawSQL("%s IS NULL", (a,), output_field=BooleanField()))
            .order_by()
        ),
        stand_ins=({"pk": 2_000_000_001, "a": "~a~"}, {"pk": 2_000_000_002, "a": "~c~"}),
        single=True,
    )
    with transaction.atomic():
        found = query.first(pk=alice.pk, a="x")
        assert found == alice and found.tag is False
        assert model.objects.filter(pk=alice.pk).exists()  # the transaction goes on
    _session, names, _texts = connections["default"].__dict__["_onestop_prepared_session"]
    assert names[(query, None, ())] is None  # refused, so run as plain SQL
