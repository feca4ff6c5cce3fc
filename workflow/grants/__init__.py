"""Exceptional object grants (DESIGN.md §2, §5): a case shared read-only with a named staff
member of another department (an expert opinion), and a delegation of a staff member's tasks to
a colleague for a period (代岗).

django-guardian holds the grants themselves (``permits.view_application`` on the shared case;
``workflow.act_for_colleague`` on the delegation row); the rows here record who granted what,
why and until when. ``workflow.access`` reads them permission-table first; only
``workflow.grants.services`` writes them (and the deadline sweep ends them through it).
"""
