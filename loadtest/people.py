"""Staff and citizens in bulk, through COPY.

Staff: ``staff`` accounts spread over every (department, role, stage) the demo's staff hold
(the demo has one account for each; these are its colleagues), each with that staff role.
Citizens: ``citizens`` accounts, each with its person row. A person's ID number and phone are
sealed with the project's own field code (``onestop.pii.seal``, SM4) and carry its lookup
hashes (``lookup_hash``), so reads, masks and look-ups work on them as on any person.
All accounts share one password hash (``PASSWORD``: a load-test database, never production).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterable

PASSWORD = "loadtest-2026"  # nosec B105 - the documented load-test password; seed_load refuses production
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def resident_id(n: int) -> str:
    """A well-formed 18-digit resident ID for Yunfu, unique per ``n``: of 罗定市 (445381), a
    county the demo's people (``seed_demo``, its history's walk-ins of 云城区 445302) never
    use, so the load's citizens cannot collide with the demo world the template starts from."""
    birth = 19500101 + (n % 50) * 10000 + ((n // 50) % 12) * 100 + (n // 600) % 28
    body = f"445381{birth:08d}{(n // 16800) % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def _copy(cursor, table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buf.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # nosec B608 - table and column names come from the models, values are bound
    return cursor.fetchone()[0]


def _setval(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # nosec B608 - table and column names come from the models, values are bound
    )


USER_COLUMNS = (
    "id", "password", "is_superuser", "username", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined",
)  # fmt: skip


def make_staff(cursor, total: int, *, log: Callable[[str], None]) -> None:
    """``total`` staff accounts and their roles; fills ``_load_usermap`` (demo account →
    colleague with the same department, role and stage, ``k`` of them per slot)."""
    from django.contrib.auth.hashers import make_password

    cursor.execute(
        "SELECT DISTINCT ON (r.department_id, r.role, r.stage) r.user_id, r.department_id,"
        " r.role, r.stage, r.region_id FROM departments_staffrole r"
        " ORDER BY r.department_id, r.role, r.stage, r.user_id"
    )
    combos = cursor.fetchall()
    # Departments the demo staffs nobody in (town service centres …) get clerks, the others
    # undertaking reviewers: every department has staff.
    cursor.execute(
        "SELECT NULL, d.id, CASE WHEN d.kind = 'service_centre' THEN 'clerk' ELSE 'reviewer' END,"
        " CASE WHEN d.kind = 'service_centre' THEN '' ELSE 'undertake' END, NULL"
        " FROM departments_department d"
        " WHERE NOT EXISTS (SELECT 1 FROM departments_staffrole r WHERE r.department_id = d.id)"
        " ORDER BY d.id"
    )
    combos += cursor.fetchall()
    per = max(1, total // len(combos))
    password = make_password(PASSWORD)
    user_id = _next_id(cursor, "auth_user")
    role_id = _next_id(cursor, "departments_staffrole")
    users, roles, mapping = [], [], []
    rng = random.Random(11)  # nosec B311 - load-test data, not a secret
    n = 0
    for combo_no, (demo_user, dept, role, stage, region) in enumerate(combos):
        count = per + (1 if combo_no < total - per * len(combos) else 0)
        for slot in range(count):
            uid = user_id + n
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            users.append(
                (uid, password, "f", f"load-staff-{n + 1:05d}", name[1:], name[0],
                 "", "f", "t", "2024-01-02 09:00:00+08")
            )  # fmt: skip
            roles.append(
                (role_id + n, role, stage, "2024-01-02 09:00:00+08", dept, None, region, uid)
            )
            mapping.append((combo_no, demo_user, slot, count, uid))
            n += 1
    _copy(cursor, "auth_user", USER_COLUMNS, users)
    _copy(
        cursor,
        "departments_staffrole",
        (
            "id",
            "role",
            "stage",
            "granted_at",
            "department_id",
            "granted_by_id",
            "region_id",
            "user_id",
        ),
        roles,
    )
    # demo account → its colleagues' ids first … first + k - 1 (one pool per account: one that
    # holds several roles maps by its first).
    cursor.execute("DROP TABLE IF EXISTS _load_usermap")
    cursor.execute("CREATE UNLOGGED TABLE _load_usermap (old int PRIMARY KEY, first int, k int)")
    pools: dict[int, tuple[int, int]] = {}
    for _combo_no, demo_user, slot, count, uid in mapping:
        if slot == 0 and demo_user is not None and demo_user not in pools:
            pools[demo_user] = (uid, count)
    _copy(
        cursor, "_load_usermap", ("old", "first", "k"), [(u, f, k) for u, (f, k) in pools.items()]
    )
    _setval(cursor, "auth_user")
    _setval(cursor, "departments_staffrole")
    departments = len({combo[1] for combo in combos})
    log(f"  staff: {n:,} accounts, {len(combos)} roles in {departments} departments")


def make_citizens(cursor, total: int, *, log: Callable[[str], None]) -> tuple[int, int, int]:
    """``total`` citizens (account + person); returns (first person id, first user id, total):
    citizen ``i`` is person ``first + i`` of user ``first_user + i``."""
    from django.contrib.auth.hashers import make_password

    from onestop.pii import lookup_hash, seal

    password = make_password(PASSWORD)
    user_id = _next_id(cursor, "auth_user")
    person_id = _next_id(cursor, "permits_person")
    rng = random.Random(7)  # nosec B311 - load-test data, not a secret
    chunk = 20_000
    for low in range(0, total, chunk):
        users, persons = [], []
        for i in range(low, min(total, low + chunk)):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            id_number = resident_id(i)
            phone = f"13{(i * 7919) % 10**9:09d}"
            users.append(
                (user_id + i, password, "f", f"load-citizen-{i + 1:06d}", name[1:], name[0],
                 "", "f", "t", "2024-01-02 09:00:00+08")
            )  # fmt: skip
            persons.append(
                (person_id + i, name, "resident_id", seal(id_number), seal(phone),
                 "2024-01-02 09:00:00+08", user_id + i, lookup_hash(id_number), lookup_hash(phone))
            )  # fmt: skip
        _copy(cursor, "auth_user", USER_COLUMNS, users)
        _copy(
            cursor,
            "permits_person",
            ("id", "real_name", "id_type", "id_number", "phone", "created_at", "user_id",
             "id_number_hash", "phone_hash"),
            persons,
        )  # fmt: skip
        log(f"  citizens: {min(total, low + chunk):,}/{total:,}")
    _setval(cursor, "auth_user")
    _setval(cursor, "permits_person")
    return person_id, user_id, total
