"""``manage.py seed_demo``: Yunfu's structure, a published catalogue and one account per role.

The data lives in ``permits/demo_data.py``; this command upserts it by natural keys (region
code, department code, item code, username, ID number, credit code), so running it twice leaves
the database as it was: no duplicate rows, and no new item version unless an item's
configuration really changed. It refuses to run when ``settings.PRODUCTION`` is true, because it
creates accounts whose password is public.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from departments.models import Department, Region, ServiceCentre, StaffRole, Window
from departments.services import staff_role_grant
from permits import demo_data as data
from permits.models import (
    Enterprise,
    FormField,
    Handler,
    ItemDepartment,
    ItemStatus,
    MaterialRequirement,
    Person,
    ServiceItem,
)
from permits.services import item_publish

_LOOKUP = object()  # sentinel: ``upsert`` queries for the row itself

# The services log one line per role granted and per item published; the summary says as much.
CHATTY_LOGGERS = ("departments.services", "permits.services")


@contextmanager
def quiet(loggers: Iterable[str], level: int = logging.WARNING) -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in loggers}
    for name in saved:
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)


class Seeder:
    """Upserts the demo data and counts what it did, per model."""

    def __init__(self) -> None:
        self.stats: Counter[tuple[str, str]] = Counter()
        self.regions: dict[str, Region] = {}
        self.departments: dict[str, Department] = {}
        self.users: dict[str, Any] = {}
        self.new_versions: list[str] = []  # item codes that got a new version in this run
        self._password_hash: str | None = None
        self._verified_hashes: set[str] = set()

    # --- generic upsert ----------------------------------------------------------------------

    def _count(self, model: type[models.Model], action: str, n: int = 1) -> None:
        self.stats[(model._meta.label, action)] += n

    def upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        found: Any = _LOOKUP,
        create_only: dict[str, Any] | None = None,
    ) -> tuple[Any, bool]:
        """Create the row found by ``lookup`` or bring its ``values`` up to date.

        ``found`` is the existing row (or ``None``) when the caller loaded the rows of that model
        in bulk; otherwise the row is looked up. Returns ``(row, changed)``. An unchanged row is
        not saved at all, so ``auto_now`` timestamps stay put and a second run writes nothing.
        ``create_only`` values are set on creation and then left to the application (the
        portal's popularity counter, say).
        """
        obj = model._default_manager.filter(**lookup).first() if found is _LOOKUP else found
        if obj is None:
            obj = model(**lookup, **values, **(create_only or {}))
            obj.full_clean()
            obj.save()
            self._count(model, "created")
            return obj, True
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            self._count(model, "unchanged")
            return obj, False
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        self._count(model, "updated")
        return obj, True

    def prune(self, model: type[models.Model], rows: Iterable[Any], keep: set[int]) -> bool:
        """Delete the loaded ``rows`` that the demo data no longer has."""
        stale = [row.pk for row in rows if row.pk not in keep]
        if stale:
            model._default_manager.filter(pk__in=stale).delete()
            self._count(model, "deleted", len(stale))
        return bool(stale)

    # --- structure ---------------------------------------------------------------------------

    def seed_regions(self) -> None:
        existing = {r.code: r for r in Region.objects.all()}
        for position, (code, name, level, parent) in enumerate(data.REGIONS):
            self.regions[code], _ = self.upsert(
                Region,
                {"code": code},
                {
                    "name": name,
                    "level": level,
                    "parent_id": self.regions[parent].pk if parent else None,
                    "position": position,
                },
                found=existing.get(code),
            )

    def seed_departments(self) -> None:
        existing = {d.code: d for d in Department.objects.all()}
        for spec in data.DEPARTMENTS:
            region = self.regions[spec.region]
            self.departments[spec.code], _ = self.upsert(
                Department,
                {"code": spec.code},
                {
                    "name": spec.name,
                    "short_name": spec.short_name,
                    "parent_id": self.departments[spec.parent].pk if spec.parent else None,
                    "level": region.level,
                    "region_id": region.pk,
                    "kind": spec.kind,
                    "phone": spec.phone,
                    "address": spec.address,
                    "is_active": True,
                },
                found=existing.get(spec.code),
            )

    def seed_centres(self) -> None:
        centres = {c.region_id: c for c in ServiceCentre.objects.all()}
        windows: dict[int, list[Window]] = defaultdict(list)
        for window in Window.objects.all():
            windows[window.centre_id].append(window)
        for spec in data.CENTRES:
            region_id = self.regions[spec.region].pk
            centre, _ = self.upsert(
                ServiceCentre,
                {"region_id": region_id},
                {
                    "name": spec.name,
                    "department_id": self.departments[spec.department].pk,
                    "address": spec.address,
                    "opening_hours": spec.opening_hours,
                    "phone": spec.phone,
                },
                found=centres.get(region_id),
            )
            loaded = {w.number: w for w in windows[centre.pk]}
            kept = set()
            for window in spec.windows:
                row, _ = self.upsert(
                    Window,
                    {"centre_id": centre.pk, "number": window.number},
                    {
                        "name": window.name,
                        "comprehensive": window.comprehensive,
                        "categories": list(window.categories),
                        "clerk_on_duty_id": (self.users[window.clerk].pk if window.clerk else None),
                        "is_open": True,
                    },
                    found=loaded.get(window.number),
                )
                kept.add(row.pk)
            self.prune(Window, loaded.values(), kept)

    # --- accounts ----------------------------------------------------------------------------

    def _demo_password(self, current: str) -> str:
        """The stored hash for the demo password: the current one if it already matches
        (checked once per distinct hash), else one new hash shared by all demo accounts.

        Sharing one salted hash is fine for a password that is public anyway, and it keeps a
        seed at one PBKDF2 computation instead of one per account.
        """
        if current in self._verified_hashes:
            return current
        if current and check_password(settings.DEMO_PASSWORD, current):
            self._verified_hashes.add(current)
            return current
        if self._password_hash is None:
            self._password_hash = make_password(settings.DEMO_PASSWORD)
            self._verified_hashes.add(self._password_hash)
        return self._password_hash

    def seed_users(self) -> None:
        User = get_user_model()
        loaded = {
            u.username: u
            for u in User.objects.filter(username__in=[a.username for a in data.ACCOUNTS])
        }
        for account in data.ACCOUNTS:
            existing = loaded.get(account.username)
            values = {
                "first_name": account.name,
                "last_name": "",
                "email": f"{account.username}@example.com",
                "is_active": True,
                "is_superuser": account.superuser,
                "password": self._demo_password(existing.password if existing else ""),
            }
            if account.superuser:
                values["is_staff"] = True
            self.users[account.username], _ = self.upsert(
                User, {"username": account.username}, values, found=existing
            )

    def seed_applicants(self) -> None:
        enterprises = {e.credit_code: e for e in Enterprise.objects.all()}
        persons = {(p.id_type, p.id_number): p for p in Person.objects.all()}
        handlers = {(h.enterprise_id, h.person_id): h for h in Handler.objects.all()}
        for spec in data.ENTERPRISES:
            enterprises[spec.credit_code], _ = self.upsert(
                Enterprise,
                {"credit_code": spec.credit_code},
                {"name": spec.name, "legal_representative": spec.legal_representative},
                found=enterprises.get(spec.credit_code),
            )
        for account in data.ACCOUNTS:
            if account.person is None:
                continue
            key = ("resident_id", account.person.id_number)
            person, _ = self.upsert(
                Person,
                {"id_type": key[0], "id_number": key[1]},
                {
                    "real_name": account.person.real_name,
                    "phone": account.person.phone,
                    "user_id": self.users[account.username].pk,
                },
                found=persons.get(key),
            )
            if account.handler_of:
                enterprise_id = enterprises[account.handler_of].pk
                self.upsert(
                    Handler,
                    {"enterprise_id": enterprise_id, "person_id": person.pk},
                    {
                        "scope": "all",
                        "valid_until": None,
                        "removed_at": None,
                        "removed_by_id": None,
                    },
                    found=handlers.get((enterprise_id, person.pk)),
                )

    def seed_roles(self) -> None:
        """Missing roles go through ``staff_role_grant``, which keeps the guardian permissions in
        step; a role already held is only counted."""
        held = set(StaffRole.objects.values_list("user_id", "department_id", "role", "stage"))
        for account in data.ACCOUNTS:
            user = self.users[account.username]
            for spec in account.roles:
                department = self.departments[spec.department]
                region = self.regions[spec.region] if spec.region else None
                if (user.pk, department.pk, spec.role, spec.stage) in held:
                    self._count(StaffRole, "unchanged")
                    continue
                staff_role_grant(
                    actor=None,
                    user=user,
                    department=department,
                    role=spec.role,
                    stage=spec.stage,
                    region=region,
                )
                self._count(StaffRole, "created")

    # --- catalogue ---------------------------------------------------------------------------

    def seed_items(self) -> None:
        actor = self.users["admin"]
        codes = [spec.code for spec in data.ITEMS]
        items = {i.code: i for i in ServiceItem.objects.filter(code__in=codes)}
        parts: dict[int, list[ItemDepartment]] = defaultdict(list)
        for row in ItemDepartment.objects.filter(item__code__in=codes):
            parts[row.item_id].append(row)
        materials: dict[int, list[MaterialRequirement]] = defaultdict(list)
        for row in MaterialRequirement.objects.filter(item__code__in=codes).prefetch_related(
            "departments"
        ):
            materials[row.item_id].append(row)
        fields: dict[int, list[FormField]] = defaultdict(list)
        for row in FormField.objects.filter(item__code__in=codes):
            fields[row.item_id].append(row)

        for spec in data.ITEMS:
            item, changed = self.upsert(
                ServiceItem,
                {"code": spec.code},
                self._item_values(spec),
                found=items.get(spec.code),
                create_only={"popularity": spec.popularity},
            )
            changed |= self._seed_item_departments(item, spec, parts[item.pk])
            changed |= self._seed_materials(item, spec, materials[item.pk])
            changed |= self._seed_form_fields(item, spec, fields[item.pk])
            if item.status == ItemStatus.RETIRED:
                # Retired is final (ITEM_TRANSITIONS); the demo does not resurrect it.
                continue
            if changed or item.status != ItemStatus.PUBLISHED or item.current_version_id is None:
                before = item.current_version_id
                # item_publish reuses the current version when the configuration equals it
                # (a hand-made drift put back, say), so only real changes make a version.
                version = item_publish(item=item, actor=actor)
                if version.pk != before:
                    self.new_versions.append(item.code)

    def _item_values(self, spec: data.Item) -> dict[str, Any]:
        return {
            "name": spec.name,
            "keywords": spec.keywords,
            "category": spec.category,
            "audience": spec.audience,
            "service_model": spec.service_model,
            "region_id": self.regions[spec.region].pk,
            "lead_department_id": self.departments[spec.lead].pk,
            "legal_days": spec.legal_days,
            "promised_days": spec.promised_days,
            "online_depth": spec.online_depth,
            "onsite_inspection": spec.onsite_inspection,
            "window_acceptance": spec.window_acceptance,
            "allows_anonymous": spec.allows_anonymous,
            "deemed_approval_allowed": spec.deemed_approval_allowed,
            "is_free": spec.is_free,
            "fees": spec.fees,
            "legal_basis": spec.legal_basis,
            "conditions": spec.conditions,
            "procedure": spec.procedure,
            "result_name": spec.result_name,
            "result_validity_months": spec.result_validity_months,
            "max_visits": spec.max_visits,
            "consult_mode": spec.consult_mode,
            "enquiry_phone": spec.enquiry_phone,
            "complaint_phone": data.COMPLAINT_PHONE,
            "service_location": spec.service_location,
            "service_hours": spec.service_hours,
        }

    def _seed_item_departments(
        self, item: ServiceItem, spec: data.Item, loaded: list[ItemDepartment]
    ) -> bool:
        by_key = {(row.department_id, row.role): row for row in loaded}
        changed, kept = False, set()
        for position, part in enumerate(spec.parts):
            department_id = self.departments[part.department].pk
            row, row_changed = self.upsert(
                ItemDepartment,
                {"item_id": item.pk, "department_id": department_id, "role": part.role},
                {
                    "position": position,
                    "duty": part.duty,
                    "time_limit_days": part.limit,
                    "time_limit_unit": part.unit,
                    "stages": list(part.stages),
                    "timeout_policy": part.timeout,
                },
                found=by_key.get((department_id, part.role)),
            )
            changed |= row_changed
            kept.add(row.pk)
        return self.prune(ItemDepartment, loaded, kept) or changed

    def _seed_materials(
        self, item: ServiceItem, spec: data.Item, loaded: list[MaterialRequirement]
    ) -> bool:
        by_name = {row.name: row for row in loaded}
        changed, kept = False, set()
        for position, mat in enumerate(spec.materials):
            row, row_changed = self.upsert(
                MaterialRequirement,
                {"item_id": item.pk, "name": mat.name},
                {
                    "description": mat.description,
                    "required": mat.required,
                    "tolerable": mat.tolerable,
                    "accepted_types": list(mat.types),
                    "max_size": mat.max_size,
                    "copies": mat.copies,
                    "source": mat.source,
                    "position": position,
                },
                found=by_name.get(mat.name),
            )
            wanted = {self.departments[code].pk for code in (mat.departments or (spec.lead,))}
            if {d.pk for d in row.departments.all()} != wanted:
                row.departments.set(wanted)
                row_changed = True
            changed |= row_changed
            kept.add(row.pk)
        return self.prune(MaterialRequirement, loaded, kept) or changed

    def _seed_form_fields(
        self, item: ServiceItem, spec: data.Item, loaded: list[FormField]
    ) -> bool:
        by_name = {row.name: row for row in loaded}
        changed, kept = False, set()
        for position, fld in enumerate(spec.fields):
            row, row_changed = self.upsert(
                FormField,
                {"item_id": item.pk, "name": fld.name},
                {
                    "label": fld.label,
                    "type": fld.type,
                    "required": fld.required,
                    "choices": list(fld.choices),
                    "validation": dict(fld.validation),
                    "help_text": fld.help_text,
                    "position": position,
                },
                found=by_name.get(fld.name),
            )
            changed |= row_changed
            kept.add(row.pk)
        return self.prune(FormField, loaded, kept) or changed

    # --- all ---------------------------------------------------------------------------------

    def run(self) -> None:
        self.seed_regions()
        self.seed_departments()
        self.seed_users()
        self.seed_centres()
        self.seed_applicants()
        self.seed_roles()
        self.seed_items()


class Command(BaseCommand):
    help = (
        "Load the demo: Yunfu's regions, departments, service centres and windows, a published "
        "catalogue, and one account per role (password settings.DEMO_PASSWORD). Idempotent. "
        "Refuses to run when settings.PRODUCTION is true."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "seed_demo refuses to run: settings.PRODUCTION is true. The demo creates accounts "
                "whose password is public; never load it into a production database."
            )
        seeder = Seeder()
        loggers = CHATTY_LOGGERS if options["verbosity"] < 2 else ()
        with quiet(loggers), transaction.atomic():
            seeder.run()
        if options["verbosity"] >= 1:
            self._print_summary(seeder)

    def _print_summary(self, seeder: Seeder) -> None:
        out = self.stdout.write
        kinds = list(dict.fromkeys(kind for kind, _action in seeder.stats))
        out(self.style.MIGRATE_HEADING("Demo data"))
        out(f"  {'':<32}{'created':>9}{'updated':>9}{'deleted':>9}{'unchanged':>11}")
        for kind in kinds:
            row = [seeder.stats[(kind, a)] for a in ("created", "updated", "deleted", "unchanged")]
            out(f"  {str(kind):<32}{row[0]:>9}{row[1]:>9}{row[2]:>9}{row[3]:>11}")
        out(
            f"  New item versions: {len(seeder.new_versions)} ({len(data.ITEMS)} items)"
            + (f": {', '.join(seeder.new_versions)}" if 0 < len(seeder.new_versions) <= 5 else "")
        )
        out("")
        out(self.style.MIGRATE_HEADING(f"Demo accounts (password: {settings.DEMO_PASSWORD})"))
        width = max(len(a.username) for a in data.ACCOUNTS) + 2
        for account in data.ACCOUNTS:
            out(f"  {account.username:<{width}}{account.name}　{account.summary}")
        out(self.style.SUCCESS("seed_demo: done."))
