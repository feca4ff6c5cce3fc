"""A deemed approval's opinion (逾期视为同意) is the system's, stored in the worker's language by
the sweep; pages show it in the reader's language (issue 14 item 6: English mode is English)."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from workflow.labels import participation_opinion


def test_a_deemed_approvals_opinion_reads_in_the_readers_language():
    row = SimpleNamespace(status="deemed_approved", opinion="逾期视为同意：期限内未答复。")
    with translation.override("en"):
        assert participation_opinion(row) == (
            "Deemed approved: no answer within the time limit (逾期视为同意)."
        )
    with translation.override("zh-hans"):
        assert participation_opinion(row) == "逾期视为同意：期限内未答复。"


def test_a_departments_own_opinion_is_shown_as_written():
    row = SimpleNamespace(status="approved", opinion="同意。")
    with translation.override("en"):
        assert participation_opinion(row) == "同意。"
        html = Template("{% load office_tags %}{{ p|participation_opinion }}").render(
            Context({"p": row})
        )
    assert html == "同意。"
