"""``manage.py seed_demo``: Yunfu's structure, a published catalogue and one account per role.

The data lives in files under ``permits/demo/`` (see its ``__init__``). This command loads them
through the services that own each kind of row:

- regions, departments and items: ``catalogue.json`` through the catalogue import service
  (``permits.exchange.catalogue_import``, the one behind ``manage.py import_catalogue``), which
  upserts by code and publishes a new item version only when an item's configuration changed;
- applicants: ``person_register`` / ``enterprise_register`` (``permits.applicant_services``)
  create a missing applicant account with its person, enterprise and handler;
- staff roles: ``staff_role_grant`` (``departments.services``), which keeps the guardian
  permissions in step.

Then ``manage.py seed_demo_hotline`` (workflow's, run by name: permits never imports workflow)
enters the 12345 hotline's demo calls through the workflow services.

No service creates a staff account, a service centre or a window, or puts back what someone
changed by hand in a demo row (a handler's expired authorisation, a person's phone): those are
upserted here by natural key (username, ID number, credit code, region, window number), and a
row that already matches is not saved at all. So running the command twice leaves the database
as it was. It refuses to run when ``settings.PRODUCTION`` is true, because it creates accounts
whose password is public.
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
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from departments.models import Department, Region, ServiceCentre, StaffRole, Window
from departments.services import staff_role_grant
from permits import demo
from permits.applicant_services import enterprise_register, person_register
from permits.exchange import CatalogueImportInvalid, catalogue_import
from permits.models import Enterprise, Handler, IdType, ItemStatus, Person, ServiceItem

# The services log one line per account registered, role granted and item published; the
# summary says as much.
CHATTY_LOGGERS = ("departments.services", "permits.services", "permits.applicant_services")


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
    """Loads the demo files and counts what it did, per model."""

    def __init__(self) -> None:
        self.stats: Counter[tuple[str, str]] = Counter()
        self.regions: dict[str, Region] = {}
        self.departments: dict[str, Department] = {}
        self.users: dict[str, Any] = {}
        self.new_versions: list[str] = []  # item codes that got a new version in this run
        self._password_hash: str | None = None
        self._verified_hashes: set[str] = set()
        # (model label, pk) of the rows the applicant services created in this run
        self.registered: set[tuple[str, Any]] = set()
        self.skipped_steps: list[str] = []

    # --- upserting the rows no service writes ----------------------------------------------

    def _count(self, model: type[models.Model], action: str, n: int = 1) -> None:
        self.stats[(model._meta.label, action)] += n

    def upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        found: Any,
    ) -> tuple[Any, bool]:
        """Create the row ``found`` is missing (``None``) or bring its ``values`` up to date.

        ``found`` comes from the rows of that model loaded in bulk. Returns ``(row, changed)``.
        An unchanged row is not saved at all, so ``auto_now`` timestamps stay put and a second
        run writes nothing. A row a service created in this run counts as created.
        """
        fresh = found is not None and (model._meta.label, found.pk) in self.registered
        if found is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self._count(model, "created")
            return obj, True
        changed = [name for name, value in values.items() if getattr(found, name) != value]
        if changed:
            for name in changed:
                setattr(found, name, values[name])
            found.full_clean()
            found.save()
        self._count(model, "created" if fresh else "updated" if changed else "unchanged")
        return found, bool(changed)

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

    def _register(self, account: demo.Account, persons: set, enterprises: set) -> Any | None:
        """Register a missing applicant account through the applicant services; ``None`` when
        its person or enterprise is already on record (the services refuse to link those, so
        the account is created plainly and ``seed_applicants`` links the records)."""
        person = account.person
        if person is None or ("resident_id", person.id_number) in persons:
            return None
        fields = {
            "username": account.username,
            "password": settings.DEMO_PASSWORD,
            "real_name": person.real_name,
            "id_type": IdType.RESIDENT_ID,
            "id_number": person.id_number,
            "phone": person.phone,
        }
        if account.handler_of is None:
            user = person_register(**fields)
        elif account.handler_of in enterprises:
            return None
        else:
            spec = next(e for e in demo.ENTERPRISES if e.credit_code == account.handler_of)
            user = enterprise_register(**fields, org_name=spec.name, credit_code=spec.credit_code)
            handler = user.person.handler_of.get()
            self.registered |= {(Enterprise._meta.label, handler.enterprise_id)}
            self.registered |= {(Handler._meta.label, handler.pk)}
        self.registered |= {(get_user_model()._meta.label, user.pk)}
        self.registered |= {(Person._meta.label, user.person.pk)}
        return user

    def seed_users(self) -> None:
        User = get_user_model()
        loaded = {
            u.username: u
            for u in User.objects.filter(username__in=[a.username for a in demo.ACCOUNTS])
        }
        persons: set[tuple[str, str]] = set()
        enterprises: set[str] = set()
        if any(a.person and a.username not in loaded for a in demo.ACCOUNTS):
            persons = set(Person.objects.values_list("id_type", "id_number"))
            enterprises = set(Enterprise.objects.values_list("credit_code", flat=True))
        for account in demo.ACCOUNTS:
            existing = loaded.get(account.username)
            if existing is None and (existing := self._register(account, persons, enterprises)):
                # bandit B105: clears a copied hash, no password
                existing.password = ""  # registered with a hash of its own: share the one  # nosec B105
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
        """Put the demo's persons, enterprise and handler back as the files say (a handler's
        authorisation that expired, a phone changed by hand)."""
        enterprises = {e.credit_code: e for e in Enterprise.objects.all()}
        persons = {(p.id_type, p.id_number): p for p in Person.objects.all()}
        handlers = {(h.enterprise_id, h.person_id): h for h in Handler.objects.all()}
        for spec in demo.ENTERPRISES:
            enterprises[spec.credit_code], _ = self.upsert(
                Enterprise,
                {"credit_code": spec.credit_code},
                {"name": spec.name, "legal_representative": spec.legal_representative},
                found=enterprises.get(spec.credit_code),
            )
        for account in demo.ACCOUNTS:
            if account.person is None:
                continue
            key = (IdType.RESIDENT_ID, account.person.id_number)
            person, _ = self.upsert(
                Person,
                {"id_type": key[0], "id_number": key[1]},  # found by the loaded rows, not a query
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
        """Missing roles go through ``staff_role_grant``; a role already held is only counted."""
        held = set(StaffRole.objects.values_list("user_id", "department_id", "role", "stage"))
        for account in demo.ACCOUNTS:
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

    # --- structure and catalogue -------------------------------------------------------------

    def seed_catalogue(self) -> None:
        """``catalogue.json`` through the import service. A demo item someone retired stays
        retired (retired is final), so it is left out of the import."""
        data = demo.catalogue()
        codes = [entry["code"] for entry in data["items"]]
        before = {
            code: (status, version)
            for code, status, version in ServiceItem.objects.filter(code__in=codes).values_list(
                "code", "status", "current_version_id"
            )
        }
        retired = {code for code, (status, _) in before.items() if status == ItemStatus.RETIRED}
        data["items"] = [entry for entry in data["items"] if entry["code"] not in retired]
        try:
            report = catalogue_import(data=data, actor=self.users["admin"], keep_popularity=True)
        except CatalogueImportInvalid as exc:
            raise CommandError(
                f"{demo.CATALOGUE_FILE} has problems:\n" + "\n".join(exc.problems)
            ) from None

        for model, key, total in (
            (Region, "regions", len(data.get("regions", []))),
            (Department, "departments", len(data.get("departments", []))),
        ):
            created = len(report.structure.get(f"{key}.created", []))
            updated = len(report.structure.get(f"{key}.updated", []))
            self._count(model, "created", created)
            self._count(model, "updated", updated)
            self._count(model, "unchanged", total - created - updated)
        self._count(ServiceItem, "created", len(report.created))
        self._count(ServiceItem, "updated", len(report.updated))
        self._count(ServiceItem, "unchanged", len(report.unchanged) + len(retired))

        after = dict(
            ServiceItem.objects.filter(code__in=codes).values_list("code", "current_version_id")
        )
        self.new_versions = [c for c in codes if after.get(c) != before.get(c, (None, None))[1]]
        self.regions = {r.code: r for r in Region.objects.all()}
        self.departments = {d.code: d for d in Department.objects.all()}

    def seed_centres(self) -> None:
        centres = {c.region_id: c for c in ServiceCentre.objects.all()}
        windows: dict[int, list[Window]] = defaultdict(list)
        for window in Window.objects.all():
            windows[window.centre_id].append(window)
        for spec in demo.CENTRES:
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
                        "kind": window.kind,
                        "categories": list(window.categories),
                        "clerk_on_duty_id": (self.users[window.clerk].pk if window.clerk else None),
                        "status": "open",
                    },
                    found=loaded.get(window.number),
                )
                kept.add(row.pk)
            stale = [w.pk for w in loaded.values() if w.pk not in kept]
            if stale:
                Window.objects.filter(pk__in=stale).delete()
                self._count(Window, "deleted", len(stale))

    # --- all ---------------------------------------------------------------------------------

    def run(self) -> None:
        self.seed_users()
        self.seed_catalogue()
        self.seed_centres()
        self.seed_applicants()
        self.seed_roles()
        self.seed_registered_steps()

    def seed_registered_steps(self) -> None:
        """The steps apps above permits registered (``permits.demo.register_seed_step``): the
        demo's cases in flight (``workflow.demo_inflight``)."""
        for name, step in demo.seed_steps():
            result = step()
            self._count_named(name, "created", len(result.created))
            self._count_named(name, "unchanged", len(result.kept))
            self.skipped_steps.extend(f"{name}: {key}" for key in result.skipped)

    def _count_named(self, name: str, action: str, n: int) -> None:
        self.stats[(name, action)] += n


class Command(BaseCommand):
    help = (
        "Load the demo (permits/demo/): Yunfu's regions, departments, service centres and "
        "windows, a published catalogue, and one account per role (password "
        "settings.DEMO_PASSWORD). Idempotent. Refuses to run when settings.PRODUCTION is true."
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
        # workflow's demo calls, by name
        call_command("seed_demo_hotline", verbosity=options["verbosity"], stdout=self.stdout)
        # the statistics' read models (stats, by name): the events not counted yet, last, so the
        # figures cover every case the demo made (idempotent: run again, nothing is missing)
        if "statistics_rebuild" in get_commands():
            call_command(
                "statistics_rebuild",
                "--missing",
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )
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
            f"  New item versions: {len(seeder.new_versions)} ({len(demo.ITEMS)} items)"
            + (f": {', '.join(seeder.new_versions)}" if 0 < len(seeder.new_versions) <= 5 else "")
        )
        if seeder.skipped_steps:
            out("  Not seeded: " + "; ".join(seeder.skipped_steps))
        out("")
        out(self.style.MIGRATE_HEADING(f"Demo accounts (password: {settings.DEMO_PASSWORD})"))
        width = max(len(a.username) for a in demo.ACCOUNTS) + 2
        for account in demo.ACCOUNTS:
            out(f"  {account.username:<{width}}{account.name}　{account.summary}")
        out(self.style.SUCCESS("seed_demo: done."))
