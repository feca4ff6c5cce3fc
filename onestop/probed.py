"""``ProbedExists``: an ``EXISTS`` that PostgreSQL checks row by row, never as a hashed set.

Inside an ``OR`` (the case rule's parts, ``workflow.access``), PostgreSQL turns a simple
correlated ``EXISTS`` into ``= ANY`` over a hashed subplan, chosen by the cost of probing every
row the outer scan could return — not the 21 a keyset page reads. At 100,000 cases a reviewer's
page then hashed its department's 40,000 rows first (13–32 ms, EXPLAIN ANALYZE on a clone),
where probing the (department, application) index for the ~50 cases read takes 0.2 ms; the
hash grows with the department (a million-case department: ten times that). ``OFFSET 0`` in
the subquery (no change to its answer) is PostgreSQL's documented fence against that
rewrite (``simplify_EXISTS_query`` keeps a subquery with an offset as it is), so each case
read is checked through the index. Other backends read ``LIMIT 1 OFFSET 0`` the same.
"""

from __future__ import annotations

from django.db.models import Exists


class ProbedExists(Exists):
    template = "EXISTS(%(subquery)s OFFSET 0)"
