"""Keyset paging for the large lists of API.md (the applications list at a million cases).

The envelope stays the contract's ``{"count", "next", "previous", "results"}``; ``next`` and
``previous`` carry an opaque ``cursor`` (the last row's sort key) instead of a page number, so
page 500 costs what page 1 costs: an index walk from the key, never an ``OFFSET`` over the rows
before it. ``count`` stops at :data:`COUNT_CAP` and then says so with ``"count_capped": true``
(API.md: lists are paginated).

The order is a descending timestamp and the primary key (``-created_at, -pk``): the key is
unique, so rows never repeat or go missing across pages while rows are added at the top.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from onestop.api import ApiError

COUNT_CAP = 10_000


def capped_union_count(parts: Sequence[QuerySet], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many distinct rows the OR of ``parts`` holds, up to ``cap``. The first part (the
    large one, by the caller's order) is asked alone first: past ``cap`` the answer is capped
    whatever the others hold (one query, no hashing). Otherwise one query counts the ``UNION``
    of each part's first ``cap + 1`` primary keys: a part stopped at ``cap + 1`` makes the union
    larger than ``cap`` (capped); below it every part was read whole and the size is exact.
    Each part is read through its own index, never the OR's scan over the table."""
    return capped_union_count_of_ids(
        [qs.order_by().values_list("pk", flat=True) for qs in parts], cap
    )


def capped_union_count_of_ids(ids: Sequence[QuerySet], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """:func:`capped_union_count` over flat querysets of ids (each id once in each), e.g. read
    from a row table's index instead of the rows they name."""
    if not ids:
        return 0, False
    limited = [qs[: cap + 1] for qs in ids]
    first = limited[0].count()
    if first > cap:
        return cap, True
    if len(limited) == 1:
        return first, False
    if connections[limited[0].db].features.supports_slicing_ordering_in_compound:
        total = limited[0].union(*limited[1:]).count()
    else:
        total = _union_count_of_sliced(limited)
    return (cap, True) if total > cap else (total, False)


def _union_count_of_sliced(limited: Sequence[QuerySet]) -> int:
    """The size of the ``UNION`` of ``limited`` (sliced querysets of one column) in one query,
    for a database that refuses a ``LIMIT`` in a compound statement's own arms (SQLite, the
    demo's): each arm is wrapped in a subquery, where SQLite allows it."""
    using = limited[0].db
    connection = connections[using]
    arms, params = [], []
    for qs in limited:
        sql, arm_params = qs.query.get_compiler(using=using, connection=connection).as_sql()
        # bandit B608: an arm is the queryset's own compiled SQL; its values are parameters
        arms.append(f"SELECT * FROM ({sql})")  # nosec B608
        params.extend(arm_params)
    with connection.cursor() as cursor:
        # bandit B608: the arms above, joined; no value is spliced in
        cursor.execute(f"SELECT COUNT(*) FROM ({' UNION '.join(arms)})", params)  # nosec B608
        return cursor.fetchone()[0]


def _encode(created_at: datetime, pk: int, reverse: bool) -> str:
    raw = json.dumps([created_at.isoformat(), pk, "p" if reverse else "n"], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[datetime, int, bool]:
    try:
        padded = token + "=" * (-len(token) % 4)
        at, pk, way = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not isinstance(pk, int) or way not in ("n", "p"):
            raise ValueError(token)
        if not -(2**63) <= pk < 2**63:
            raise ValueError(token)
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError("invalid", _("The cursor is not valid.")) from exc
    return moment, pk, way == "p"


def _key(row: Any) -> tuple[datetime, int]:
    """A row's sort key: a model instance's, or a ``values()`` dict's (with ``pk``)."""
    if isinstance(row, dict):
        return row["created_at"], row["pk"]
    return row.created_at, row.pk


def _after(created_at: datetime, pk: int) -> Q:
    """Rows after the key in the descending order: the timestamp bound alone is the index's
    range (``created_at <= …``), the tie on the same instant is settled by the primary key."""
    return Q(created_at__lte=created_at) & (Q(created_at__lt=created_at) | Q(pk__lt=pk))


def _before(created_at: datetime, pk: int) -> Q:
    return Q(created_at__gte=created_at) & (Q(created_at__gt=created_at) | Q(pk__gt=pk))


class KeysetPagination(BasePagination):
    """``?cursor=`` paging over a queryset ordered ``-created_at, -pk`` with a capped count;
    its rows are model instances or ``values()`` dicts holding ``created_at`` and ``pk``.

    ``paginate_queryset(queryset, request, count=…)``: ``count`` answers ``(count, capped)``
    (e.g. :func:`capped_union_count` over the access rule's parts); without it the queryset's
    own capped count is used."""

    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        return self.page_size if size <= 0 else min(size, self.max_page_size)

    def paginate_queryset(
        self,
        queryset: QuerySet,
        request,
        view=None,
        *,
        count: Callable[[], tuple[int, bool]] | None = None,
    ) -> list[Any]:
        self.request = request
        size = self.get_page_size(request)
        token = request.query_params.get(self.cursor_query_param)
        ordered = queryset.order_by("-created_at", "-pk")
        rows: list[Any]
        self.has_next = self.has_previous = False
        if token:
            created_at, pk, reverse = _decode(token)
            if reverse:
                back = list(
                    queryset.filter(_before(created_at, pk)).order_by("created_at", "pk")[
                        : size + 1
                    ]
                )
                if len(back) > size:
                    rows = back[:size][::-1]
                    self.has_previous = True
                    self.has_next = True
                else:
                    # Back at the top: the first page, whole (not the few rows left before).
                    rows = list(ordered[: size + 1])
                    self.has_next = len(rows) > size
                    rows = rows[:size]
            else:
                rows = list(ordered.filter(_after(created_at, pk))[: size + 1])
                self.has_next = len(rows) > size
                rows = rows[:size]
                self.has_previous = True
        else:
            rows = list(ordered[: size + 1])
            self.has_next = len(rows) > size
            rows = rows[:size]
        if not rows:
            self.has_previous = bool(token)
        self.rows = rows
        if count is None:
            self.count, self.count_capped = capped_union_count([queryset])
        else:
            self.count, self.count_capped = count()
        return rows

    def _link(self, row: Any, *, reverse: bool) -> str:
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, "page")
        created_at, pk = _key(row)
        return replace_query_param(url, self.cursor_query_param, _encode(created_at, pk, reverse))

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.rows:
            return None
        return self._link(self.rows[-1], reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.rows:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(self.rows[0], reverse=True)

    def get_paginated_response(self, data) -> Response:
        body = {
            "count": self.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        }
        if self.count_capped:
            body["count_capped"] = True
        return Response(body)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": "Stops at 10,000 on very large lists (then count_capped).",
                },
                "count_capped": {"type": "boolean", "example": True},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The position of a page: from the next and previous links.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Rows per page (up to 100).",
                "schema": {"type": "integer"},
            },
        ]
