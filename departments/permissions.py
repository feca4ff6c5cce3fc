"""Permission codenames of the departments app, declared once (``Department.Meta.permissions``).

Which staff role carries which guardian object permission on its own department:

================  ===================  ======================
role              work_department      supervise_department
================  ===================  ======================
clerk             yes                  no
reviewer          yes                  no
head              yes                  yes
supervisor        no                   yes
admin             no                   no
================  ===================  ======================

``work_department`` is what viewflow checks before a task of that department may be assigned
or executed; ``supervise_department`` lets a supervisor (or the head) open the department's
cases read-only. A supervisor watches a *region*: the region-wide view is decided in
``workflow.access`` from the role's region (and the regions below it), not by object grants
on every department, which would go stale whenever a department is added.

Only ``departments.services`` grants or revokes these permissions.
"""

from __future__ import annotations

from departments.models import Role

WORK_DEPARTMENT = "departments.work_department"
SUPERVISE_DEPARTMENT = "departments.supervise_department"

PERMS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset({WORK_DEPARTMENT}),
    Role.REVIEWER: frozenset({WORK_DEPARTMENT}),
    Role.HEAD: frozenset({WORK_DEPARTMENT, SUPERVISE_DEPARTMENT}),
    Role.SUPERVISOR: frozenset({SUPERVISE_DEPARTMENT}),
    Role.ADMIN: frozenset(),
}

# The Django group that holders of the admin role join: it gives them the Django admin screens
# of the catalogue and the departments (``is_staff`` follows the admin role too).
ADMIN_GROUP_NAME = "catalogue-administrators"
_ALL = ("add", "change", "delete", "view")
ADMIN_GROUP_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("departments", "region"): _ALL,
    ("departments", "department"): _ALL,
    ("departments", "staffrole"): _ALL,
    ("departments", "servicecentre"): _ALL,
    ("departments", "window"): _ALL,
    ("permits", "serviceitem"): _ALL,
    ("permits", "itemdepartment"): _ALL,
    ("permits", "materialrequirement"): _ALL,
    ("permits", "formfield"): _ALL,
    # Versions are immutable: admins read them.
    ("permits", "itemversion"): ("view",),
}
