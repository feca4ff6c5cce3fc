"""The demo data of ``manage.py seed_demo``: data files in this directory, read here.

- ``catalogue.json``: Yunfu's regions and departments and the demo's published items, in the
  catalogue exchange format (``docs/catalogue-format.md``). ``seed_demo`` loads it with the
  import service of ``manage.py import_catalogue`` (``permits.exchange.catalogue_import``), so
  ``manage.py import_catalogue permits/demo/catalogue.json`` loads the same structure and
  catalogue into any database.
- ``people.yaml``: the demo enterprise and the demo accounts (applicants with their person,
  the enterprise's handler, staff with their roles, the administrator).
- ``centres.yaml``: the service centre of every region seeded, with its windows.

Edit the files to change the demo; running ``seed_demo`` again brings the database in line.
Reading them (``people.yaml`` and ``centres.yaml`` into the frozen records below) checks their
keys, so a misspelt key fails loudly instead of being ignored.

Sources, so a reader can check them:
- Regions: GB/T 2260 county codes and the statistical 9-digit town (乡镇街道) codes of 云浮市.
- Departments: the city's and counties' real institutions (names as of the 2019 institutional
  reform: 政务服务和数据管理局, 市场监督管理局, 医疗保障局 ...).
- Items: the national 政务服务事项 practice (实施清单 fields, 最多跑一次, 容缺受理). Legal
  bases cite the law and article that creates the duty and, where the law sets one, the time limit.
- The three service models follow the city's guidance on "一站式" e-government
  (``shared/seed/yunfu-one-stop-guidance.zh.txt``): 网上并联许可 (企业开办, 工程建设), the
  core-department model (出入境证照办理), and the process-centred model (信访, 投诉, 呼叫中心,
  联合年检), which the guidance lets "政府综合管理部门" coordinate.
- Identifiers carry their national check characters (``resident_id``, ``credit_code`` below
  compute them for a new person or enterprise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from permits.validators import credit_code_check_char, resident_id_check_char

DIRECTORY = Path(__file__).resolve().parent
CATALOGUE_FILE = DIRECTORY / "catalogue.json"
PEOPLE_FILE = DIRECTORY / "people.yaml"
CENTRES_FILE = DIRECTORY / "centres.yaml"


# --- Steps apps above permits add to seed_demo ----------------------------------------------

# name → function run by ``seed_demo`` after the structure, catalogue, applicants and roles,
# in its transaction; it returns an object with ``created`` / ``kept`` / ``skipped`` lists.
# Workflow registers the cases in flight (``workflow.demo_inflight``) from its ``ready()``, so
# permits never imports it.
_SEED_STEPS: dict[str, tuple[int, Any]] = {}


def register_seed_step(name: str, func: Any, *, order: int = 0) -> None:
    """Add a step; steps run by ``order``, then by name (a step that needs another's rows, such
    as the demo's ratings of the cases in flight, takes a higher order)."""
    _SEED_STEPS[name] = (order, func)


def seed_steps() -> list[tuple[str, Any]]:
    return [(name, func) for name, (_order, func) in sorted(_SEED_STEPS.items(), key=_step_key)]


def _step_key(entry: tuple[str, tuple[int, Any]]) -> tuple[int, str]:
    return entry[1][0], entry[0]


# --- Identifiers ---------------------------------------------------------------------------


def resident_id(first17: str) -> str:
    """A GB 11643 resident ID from its first 17 digits (division, birth date, sequence)."""
    return first17 + resident_id_check_char(first17)


def organisation_code(first8: str) -> str:
    """A GB 11714 organisation code (the 9th–17th characters of a credit code)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return first8 + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(registration: str, division: str, org_first8: str) -> str:
    """A GB 32100 unified social credit code: registration authority and kind (``91`` is an
    enterprise registered by market regulation), division code, organisation code, check."""
    first17 = registration + division + organisation_code(org_first8)
    return first17 + credit_code_check_char(first17)


# --- Records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    real_name: str
    id_number: str  # a resident ID (身份证)
    phone: str


@dataclass(frozen=True)
class EnterpriseSpec:
    name: str
    credit_code: str
    legal_representative: str


@dataclass(frozen=True)
class RoleSpec:
    department: str
    role: str  # clerk | reviewer | head | supervisor | admin
    stage: str = ""
    region: str | None = None  # supervisors only


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    summary: str  # what the README and the summary table say the account is for
    try_: str  # what to try with it
    person: PersonSpec | None = None
    handler_of: str | None = None  # credit code of the enterprise the account acts for
    roles: tuple[RoleSpec, ...] = ()
    superuser: bool = False


@dataclass(frozen=True)
class WindowSpec:
    number: str
    name: str
    categories: tuple[str, ...]
    kind: str = "department"  # comprehensive (综合窗口) / department / assisted (帮办代办)
    clerk: str | None = None  # username of the clerk on duty
    items: tuple[str, ...] = ()  # item codes the window accepts (seeded by ``centres``)


@dataclass(frozen=True)
class Centre:
    region: str
    name: str
    department: str
    address: str
    phone: str
    opening_hours: str
    windows: tuple[WindowSpec, ...]


def _read_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _account(raw: dict[str, Any]) -> Account:
    raw = dict(raw)
    raw["try_"] = raw.pop("try")
    if raw.get("person") is not None:
        raw["person"] = PersonSpec(**raw["person"])
    raw["roles"] = tuple(RoleSpec(**role) for role in raw.get("roles") or ())
    return Account(**raw)


def _centre(raw: dict[str, Any]) -> Centre:
    windows = tuple(
        WindowSpec(
            **{
                **w,
                "categories": tuple(w.get("categories") or ()),
                "items": tuple(w.get("items") or ()),
            }
        )
        for w in raw["windows"]
    )
    return Centre(**{**raw, "windows": windows})


def read_catalogue() -> dict[str, Any]:
    """``catalogue.json``, parsed: an exchange file with ``regions``, ``departments``, ``items``."""
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def read_people() -> tuple[list[EnterpriseSpec], list[Account]]:
    people = _read_yaml(PEOPLE_FILE)
    enterprises = [EnterpriseSpec(**e) for e in people["enterprises"]]
    return enterprises, [_account(a) for a in people["accounts"]]


def read_centres() -> list[Centre]:
    return [_centre(c) for c in _read_yaml(CENTRES_FILE)["centres"]]


CATALOGUE: dict[str, Any] = read_catalogue()
ITEMS: list[dict[str, Any]] = CATALOGUE["items"]  # item entries of the exchange format
ENTERPRISES, ACCOUNTS = read_people()
DEMO_ENTERPRISE = ENTERPRISES[0]
CENTRES: list[Centre] = read_centres()


def catalogue() -> dict[str, Any]:
    """The exchange file ``seed_demo`` imports: ``catalogue.json`` with ``ITEMS`` as its items
    (read at call time, so a test can put a changed item in)."""
    return {**CATALOGUE, "items": ITEMS}
