"""The load generator's pieces that need no database of their own."""

from __future__ import annotations

from loadtest.cloning import case_models
from loadtest.people import resident_id
from permits.validators import validate_id_number


def test_generated_resident_ids_are_valid_and_unique():
    ids = [resident_id(n) for n in range(0, 300_000, 7)]
    assert len(set(ids)) == len(ids)
    for value in ids[::500]:
        validate_id_number("resident_id", value)  # raises on a bad checksum or date


def test_the_case_tables_come_from_the_models_parents_first():
    tables = [m._meta.db_table for m in case_models()]
    for table in (
        "permits_application", "viewflow_process", "workflow_caseprocess", "viewflow_task",
        "viewflow_task_previous", "workflow_casetask", "permits_applicationdepartment",
        "permits_event", "evaluations_invitation",
    ):  # fmt: skip
        assert table in tables
    assert "permits_enterprise" not in tables  # points at its founding case, but is no case row
    assert tables.index("permits_application") < tables.index("workflow_caseprocess")
    assert tables.index("viewflow_process") < tables.index("viewflow_task")
    assert tables.index("viewflow_task") < tables.index("viewflow_task_previous")


def test_generated_resident_ids_never_meet_the_demo_worlds_people():
    """The template is the demo world plus the load: the demo history's walk-ins are people of
    云城区 (445302) born in the 1980s; a load citizen with the same number broke the build."""
    from stats.demo_history import _walk_in

    demo = {_walk_in(i).id_number for i in range(1000)}
    assert not demo & {resident_id(n) for n in range(200_000)}
