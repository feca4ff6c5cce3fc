"""The demo data of ``manage.py seed_demo``: Yunfu's real structure and a realistic catalogue.

Everything here is plain data, read by ``permits/management/commands/seed_demo.py``, which upserts
it by natural keys (region code, department code, item code, username, ID number, credit code).
Edit this file to change the demo; running ``seed_demo`` again brings the database in line.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from permits.validators import credit_code_check_char, resident_id_check_char

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


# --- Regions (GB/T 2260; towns: the statistical 9-digit codes) -----------------------------

CITY = "445300"
YUNCHENG = "445302"
YUNAN = "445303"
XINXING = "445321"
YUNAN_COUNTY = "445322"  # 郁南县
LUODING = "445381"

# (code, name, level, parent code)
REGIONS: list[tuple[str, str, str, str | None]] = [
    (CITY, "云浮市", "city", None),
    (YUNCHENG, "云城区", "county", CITY),
    (YUNAN, "云安区", "county", CITY),
    (LUODING, "罗定市", "county", CITY),
    (XINXING, "新兴县", "county", CITY),
    (YUNAN_COUNTY, "郁南县", "county", CITY),
    ("445302001", "云城街道", "town", YUNCHENG),
    ("445302003", "河口街道", "town", YUNCHENG),
    ("445302102", "腰古镇", "town", YUNCHENG),
    ("445303100", "六都镇", "town", YUNAN),
    ("445381001", "罗城街道", "town", LUODING),
    ("445381002", "素龙街道", "town", LUODING),
    ("445321100", "新城镇", "town", XINXING),
    ("445321115", "六祖镇", "town", XINXING),
    ("445322100", "都城镇", "town", YUNAN_COUNTY),
]

# --- Departments ---------------------------------------------------------------------------

PERMITTING = "permitting"
SERVICE_CENTRE = "service_centre"
COORDINATING = "coordinating"


@dataclass(frozen=True)
class Dept:
    code: str
    name: str
    short_name: str
    region: str
    kind: str = PERMITTING
    parent: str | None = None
    phone: str = ""
    address: str = ""


DEPARTMENTS: list[Dept] = [
    # The city (市直).
    Dept(
        "yf-zwfw",
        "云浮市政务服务和数据管理局",
        "市政务服务数据局",
        CITY,
        SERVICE_CENTRE,
        phone="0766-8832345",
        address="云浮市云城区云浮市政务服务中心",
    ),
    Dept(
        "yf-zfb",
        "云浮市人民政府办公室",
        "市府办",
        CITY,
        COORDINATING,
        phone="0766-8812011",
        address="云浮市云城区市行政中心",
    ),
    Dept(
        "yf-12345",
        "云浮市12345政务服务便民热线中心",
        "12345热线",
        CITY,
        COORDINATING,
        parent="yf-zwfw",
        phone="0766-12345",
        address="云浮市云城区云浮市政务服务中心",
    ),
    Dept(
        "yf-xfj",
        "云浮市信访局",
        "市信访局",
        CITY,
        COORDINATING,
        phone="0766-8823401",
        address="云浮市云城区市行政中心",
    ),
    Dept(
        "yf-scjg",
        "云浮市市场监督管理局",
        "市市场监管局",
        CITY,
        phone="0766-8832611",
        address="云浮市云城区云浮市政务服务中心市场监管窗口",
    ),
    Dept(
        "yf-sw",
        "国家税务总局云浮市税务局",
        "市税务局",
        CITY,
        phone="0766-8812366",
        address="云浮市云城区云浮市政务服务中心税务窗口",
    ),
    Dept("yf-gaj", "云浮市公安局", "市公安局", CITY, phone="0766-8831110", address="云浮市云城区"),
    Dept(
        "yf-gaj-crj",
        "云浮市公安局出入境管理支队",
        "市出入境支队",
        CITY,
        parent="yf-gaj",
        phone="0766-8836022",
        address="云浮市云城区云浮市政务服务中心出入境窗口",
    ),
    Dept(
        "yf-gaj-za",
        "云浮市公安局治安管理支队",
        "市治安支队",
        CITY,
        parent="yf-gaj",
        phone="0766-8836015",
        address="云浮市云城区",
    ),
    Dept(
        "yf-rsj",
        "云浮市人力资源和社会保障局",
        "市人社局",
        CITY,
        phone="0766-8812333",
        address="云浮市云城区云浮市政务服务中心社保窗口",
    ),
    Dept(
        "yf-ybj",
        "云浮市医疗保障局",
        "市医保局",
        CITY,
        phone="0766-8833066",
        address="云浮市云城区云浮市政务服务中心医保窗口",
    ),
    Dept(
        "yf-gjj",
        "云浮市住房公积金管理中心",
        "市公积金中心",
        CITY,
        phone="0766-8812329",
        address="云浮市云城区云浮市政务服务中心公积金窗口",
    ),
    Dept(
        "yf-zrzy",
        "云浮市自然资源局",
        "市自然资源局",
        CITY,
        phone="0766-8826233",
        address="云浮市云城区云浮市政务服务中心不动产登记窗口",
    ),
    Dept(
        "yf-zjj",
        "云浮市住房和城乡建设局",
        "市住建局",
        CITY,
        phone="0766-8823152",
        address="云浮市云城区云浮市政务服务中心工程建设项目审批窗口",
    ),
    Dept(
        "yf-sthj",
        "云浮市生态环境局",
        "市生态环境局",
        CITY,
        phone="0766-8812369",
        address="云浮市云城区",
    ),
    Dept(
        "yf-wsj", "云浮市卫生健康局", "市卫健局", CITY, phone="0766-8822851", address="云浮市云城区"
    ),
    Dept(
        "yf-xfzd",
        "云浮市消防救援支队",
        "市消防救援支队",
        CITY,
        phone="0766-8811119",
        address="云浮市云城区",
    ),
    Dept(
        "yf-jtj",
        "云浮市交通运输局",
        "市交通运输局",
        CITY,
        phone="0766-8822368",
        address="云浮市云城区",
    ),
    Dept("yf-jyj", "云浮市教育局", "市教育局", CITY, phone="0766-8822612", address="云浮市云城区"),
    # 罗定市: a county that implements its own catalogue rows (实施清单).
    Dept(
        "ld-zwfw",
        "罗定市政务服务和数据管理局",
        "罗定市政数局",
        LUODING,
        SERVICE_CENTRE,
        parent="yf-zwfw",
        phone="0766-3832345",
        address="罗定市罗城街道罗定市政务服务中心",
    ),
    Dept(
        "ld-scjg",
        "罗定市市场监督管理局",
        "罗定市市场监管局",
        LUODING,
        parent="yf-scjg",
        phone="0766-3822611",
        address="罗定市罗城街道罗定市政务服务中心市场监管窗口",
    ),
    Dept(
        "ld-gaj",
        "罗定市公安局",
        "罗定市公安局",
        LUODING,
        parent="yf-gaj",
        phone="0766-3721110",
        address="罗定市罗城街道",
    ),
    Dept(
        "ld-sw",
        "国家税务总局罗定市税务局",
        "罗定市税务局",
        LUODING,
        parent="yf-sw",
        phone="0766-3812366",
        address="罗定市罗城街道罗定市政务服务中心税务窗口",
    ),
    Dept(
        "ld-rsj",
        "罗定市人力资源和社会保障局",
        "罗定市人社局",
        LUODING,
        parent="yf-rsj",
        phone="0766-3812333",
        address="罗定市罗城街道罗定市政务服务中心社保窗口",
    ),
    Dept(
        "ld-ybj",
        "罗定市医疗保障局",
        "罗定市医保局",
        LUODING,
        parent="yf-ybj",
        phone="0766-3833066",
        address="罗定市罗城街道罗定市政务服务中心医保窗口",
    ),
    Dept(
        "ld-gjj",
        "云浮市住房公积金管理中心罗定管理部",
        "公积金罗定管理部",
        LUODING,
        parent="yf-gjj",
        phone="0766-3812329",
        address="罗定市罗城街道罗定市政务服务中心",
    ),
    # 新兴县.
    Dept(
        "xx-zwfw",
        "新兴县政务服务和数据管理局",
        "新兴县政数局",
        XINXING,
        SERVICE_CENTRE,
        parent="yf-zwfw",
        phone="0766-2832345",
        address="新兴县新城镇新兴县政务服务中心",
    ),
    Dept(
        "xx-scjg",
        "新兴县市场监督管理局",
        "新兴县市场监管局",
        XINXING,
        parent="yf-scjg",
        phone="0766-2822611",
        address="新兴县新城镇新兴县政务服务中心市场监管窗口",
    ),
    Dept(
        "xx-gaj",
        "新兴县公安局",
        "新兴县公安局",
        XINXING,
        parent="yf-gaj",
        phone="0766-2821110",
        address="新兴县新城镇",
    ),
    # The other county-level divisions: their service centres.
    Dept(
        "yc-zwfw",
        "云浮市云城区政务服务和数据管理局",
        "云城区政数局",
        YUNCHENG,
        SERVICE_CENTRE,
        parent="yf-zwfw",
        phone="0766-8862345",
        address="云浮市云城区云城区政务服务中心",
    ),
    Dept(
        "ya-zwfw",
        "云浮市云安区政务服务和数据管理局",
        "云安区政数局",
        YUNAN,
        SERVICE_CENTRE,
        parent="yf-zwfw",
        phone="0766-8432345",
        address="云浮市云安区六都镇云安区政务服务中心",
    ),
    Dept(
        "yn-zwfw",
        "郁南县政务服务和数据管理局",
        "郁南县政数局",
        YUNAN_COUNTY,
        SERVICE_CENTRE,
        parent="yf-zwfw",
        phone="0766-7532345",
        address="郁南县都城镇郁南县政务服务中心",
    ),
    # Town and sub-district service centres (镇街便民服务中心).
    Dept(
        "yc-ycjd-bmfw",
        "云城街道便民服务中心",
        "云城街道便民服务中心",
        "445302001",
        SERVICE_CENTRE,
        parent="yc-zwfw",
        phone="0766-8862101",
    ),
    Dept(
        "yc-hkjd-bmfw",
        "河口街道便民服务中心",
        "河口街道便民服务中心",
        "445302003",
        SERVICE_CENTRE,
        parent="yc-zwfw",
        phone="0766-8862103",
    ),
    Dept(
        "yc-ygz-bmfw",
        "腰古镇便民服务中心",
        "腰古镇便民服务中心",
        "445302102",
        SERVICE_CENTRE,
        parent="yc-zwfw",
        phone="0766-8862202",
    ),
    Dept(
        "ya-ldz-bmfw",
        "六都镇便民服务中心",
        "六都镇便民服务中心",
        "445303100",
        SERVICE_CENTRE,
        parent="ya-zwfw",
        phone="0766-8432100",
    ),
    Dept(
        "ld-lcjd-bmfw",
        "罗城街道便民服务中心",
        "罗城街道便民服务中心",
        "445381001",
        SERVICE_CENTRE,
        parent="ld-zwfw",
        phone="0766-3832101",
    ),
    Dept(
        "ld-sljd-bmfw",
        "素龙街道便民服务中心",
        "素龙街道便民服务中心",
        "445381002",
        SERVICE_CENTRE,
        parent="ld-zwfw",
        phone="0766-3832102",
    ),
    Dept(
        "xx-xcz-bmfw",
        "新城镇便民服务中心",
        "新城镇便民服务中心",
        "445321100",
        SERVICE_CENTRE,
        parent="xx-zwfw",
        phone="0766-2832100",
    ),
    Dept(
        "xx-lzz-bmfw",
        "六祖镇便民服务中心",
        "六祖镇便民服务中心",
        "445321115",
        SERVICE_CENTRE,
        parent="xx-zwfw",
        phone="0766-2832115",
    ),
    Dept(
        "yn-dcz-bmfw",
        "都城镇便民服务中心",
        "都城镇便民服务中心",
        "445322100",
        SERVICE_CENTRE,
        parent="yn-zwfw",
        phone="0766-7532100",
    ),
]

# --- Service centres and their windows -----------------------------------------------------

ALL_CATEGORIES = [
    "licensing",
    "confirmation",
    "public_service",
    "social_security",
    "education_culture",
    "environment",
    "declaration",
    "certificate",
    "annual_inspection",
    "lookup_service",
    "complaint",
    "petition",
    "enquiry",
    "suggestion",
    "hotline",
]
HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30（法定节假日除外）"
TOWN_HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30；周六上午预约服务"


@dataclass(frozen=True)
class WindowSpec:
    number: str
    name: str
    categories: tuple[str, ...]
    comprehensive: bool = False
    clerk: str | None = None  # username of the clerk on duty


@dataclass(frozen=True)
class Centre:
    region: str
    name: str
    department: str
    address: str
    phone: str
    windows: tuple[WindowSpec, ...]
    opening_hours: str = HOURS


def _comprehensive(number: str, clerk: str | None = None) -> WindowSpec:
    return WindowSpec(number, "综合窗口", tuple(ALL_CATEGORIES), comprehensive=True, clerk=clerk)


CENTRES: list[Centre] = [
    Centre(
        CITY,
        "云浮市政务服务中心",
        "yf-zwfw",
        "云浮市云城区云浮市政务服务中心",
        "0766-8832345",
        (
            _comprehensive("01", clerk="clerk"),
            _comprehensive("02"),
            WindowSpec("05", "企业开办专区", ("licensing", "annual_inspection")),
            WindowSpec(
                "08", "社保医保公积金窗口", ("social_security", "public_service", "lookup_service")
            ),
            WindowSpec("10", "公安出入境及户政窗口", ("certificate", "confirmation")),
            WindowSpec("12", "不动产登记窗口", ("confirmation", "lookup_service")),
            WindowSpec("15", "工程建设项目审批窗口", ("licensing", "environment")),
            WindowSpec("18", "税务综合窗口", ("declaration",)),
            WindowSpec(
                "20", "咨询投诉窗口", ("enquiry", "complaint", "suggestion", "petition", "hotline")
            ),
        ),
    ),
    Centre(
        YUNCHENG,
        "云城区政务服务中心",
        "yc-zwfw",
        "云浮市云城区云城区政务服务中心",
        "0766-8862345",
        (_comprehensive("01"), WindowSpec("03", "社保医保窗口", ("social_security",))),
    ),
    Centre(
        YUNAN,
        "云安区政务服务中心",
        "ya-zwfw",
        "云浮市云安区六都镇云安区政务服务中心",
        "0766-8432345",
        (_comprehensive("01"),),
    ),
    Centre(
        LUODING,
        "罗定市政务服务中心",
        "ld-zwfw",
        "罗定市罗城街道罗定市政务服务中心",
        "0766-3832345",
        (
            _comprehensive("01", clerk="ld_clerk"),
            WindowSpec("03", "企业开办窗口", ("licensing",)),
            WindowSpec("06", "社保医保公积金窗口", ("social_security", "public_service")),
            WindowSpec("09", "公安户政窗口", ("certificate", "confirmation")),
        ),
    ),
    Centre(
        XINXING,
        "新兴县政务服务中心",
        "xx-zwfw",
        "新兴县新城镇新兴县政务服务中心",
        "0766-2832345",
        (
            _comprehensive("01"),
            WindowSpec("02", "企业开办窗口", ("licensing",)),
            WindowSpec("05", "公安户政窗口", ("certificate",)),
        ),
    ),
    Centre(
        YUNAN_COUNTY,
        "郁南县政务服务中心",
        "yn-zwfw",
        "郁南县都城镇郁南县政务服务中心",
        "0766-7532345",
        (_comprehensive("01"),),
    ),
    *[
        Centre(region, name, dept, address, phone, (_comprehensive("01"),), TOWN_HOURS)
        for region, name, dept, address, phone in [
            (
                "445302001",
                "云城街道便民服务中心",
                "yc-ycjd-bmfw",
                "云浮市云城区云城街道",
                "0766-8862101",
            ),
            (
                "445302003",
                "河口街道便民服务中心",
                "yc-hkjd-bmfw",
                "云浮市云城区河口街道",
                "0766-8862103",
            ),
            (
                "445302102",
                "腰古镇便民服务中心",
                "yc-ygz-bmfw",
                "云浮市云城区腰古镇",
                "0766-8862202",
            ),
            (
                "445303100",
                "六都镇便民服务中心",
                "ya-ldz-bmfw",
                "云浮市云安区六都镇",
                "0766-8432100",
            ),
            ("445381001", "罗城街道便民服务中心", "ld-lcjd-bmfw", "罗定市罗城街道", "0766-3832101"),
            ("445381002", "素龙街道便民服务中心", "ld-sljd-bmfw", "罗定市素龙街道", "0766-3832102"),
            ("445321100", "新城镇便民服务中心", "xx-xcz-bmfw", "新兴县新城镇", "0766-2832100"),
            ("445321115", "六祖镇便民服务中心", "xx-lzz-bmfw", "新兴县六祖镇", "0766-2832115"),
            ("445322100", "都城镇便民服务中心", "yn-dcz-bmfw", "郁南县都城镇", "0766-7532100"),
        ]
    ],
]

# --- The catalogue -------------------------------------------------------------------------

ONE = ("undertake",)
THREE = ("undertake", "check", "sign")
DOCS = ("pdf", "jpg", "png", "ofd")
SCANS = ("pdf", "jpg", "png")
PHOTOS = ("jpg", "png")
MB = 1024 * 1024
FREE = "不收费"
COMPLAINT_PHONE = "0766-12345"


@dataclass(frozen=True)
class Part:
    """How one department takes part in an item (an ItemDepartment row)."""

    department: str
    role: str  # lead | parallel | consult
    limit: int
    duty: str = ""
    stages: tuple[str, ...] = ONE
    unit: str = "working_day"
    timeout: str = "escalate"


@dataclass(frozen=True)
class Mat:
    """A material requirement; ``departments`` empty means the lead department only."""

    name: str
    description: str = ""
    required: bool = True
    tolerable: bool = False
    types: tuple[str, ...] = DOCS
    max_size: int = 10 * MB
    copies: str = "电子件1份"
    source: str = "申请人自备"
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fld:
    """A field of the application form."""

    name: str
    label: str
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    validation: dict = field(default_factory=dict)
    help_text: str = ""


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    category: str
    audience: str
    service_model: str
    region: str
    legal_days: int
    promised_days: int
    online_depth: str
    parts: tuple[Part, ...]
    materials: tuple[Mat, ...]
    fields: tuple[Fld, ...]
    legal_basis: str
    conditions: str
    procedure: str
    keywords: str = ""
    enquiry_phone: str = ""
    service_location: str = ""
    service_hours: str = HOURS
    fees: str = FREE
    is_free: bool = True
    result_name: str = ""
    result_validity_months: int | None = None
    max_visits: int = 0
    consult_mode: str = ""
    onsite_inspection: bool = False
    window_acceptance: bool = True
    allows_anonymous: bool = False
    deemed_approval_allowed: bool = False
    popularity: int = 0

    @property
    def lead(self) -> str:
        return next(p.department for p in self.parts if p.role == "lead")


# Reusable materials and fields ---------------------------------------------------------------

ID_CARD = Mat(
    "申请人居民身份证",
    "有效期内的居民身份证正反面。已实名认证的网上申请可免于提交。",
    types=SCANS,
    max_size=5 * MB,
    copies="原件核验，电子件1份",
    source="公安机关核发",
)
AGENT = Mat(
    "授权委托书及受托人身份证明",
    "委托他人代为办理时提交。",
    required=False,
    types=SCANS,
    max_size=5 * MB,
)
LICENCE = Mat(
    "营业执照",
    "申请主体的营业执照；已在本平台登记的企业可通过电子证照免于提交。",
    types=DOCS,
    max_size=5 * MB,
    copies="电子证照或复印件1份",
    source="市场监督管理部门核发",
)
LEGAL_REP_ID = Mat("法定代表人（负责人）身份证明", types=SCANS, max_size=5 * MB, copies="复印件1份")

F_PHONE = Fld("contact_phone", "联系电话", "phone")
F_EMAIL = Fld("email", "电子邮箱", "email", required=False)
F_APPLICANT = Fld("applicant_name", "申请人姓名", "text", validation={"max_length": 30})
F_ID = Fld("id_number", "公民身份号码", "id_number")
F_ENTERPRISE = Fld("enterprise_name", "单位名称", "text", validation={"max_length": 60})
F_CREDIT = Fld("credit_code", "统一社会信用代码", "credit_code")
F_DELIVERY = Fld(
    "delivery", "结果领取方式", "choice", choices=("窗口领取", "邮政速递（免费寄递）", "电子证照")
)

# 企业开办 ---------------------------------------------------------------------------------


def _company_setup(
    code: str,
    region: str,
    place: str,
    lead: str,
    parallel: dict[str, str],
    phone: str,
    popularity: int,
) -> Item:
    """企业开办: one application, registration led by market regulation, the other
    departments told online and working in parallel (网上并联许可)."""
    return Item(
        code=code,
        name="企业开办（设立登记、公章刻制、申领发票、社保医保及公积金登记）",
        category="licensing",
        audience="both",
        service_model="parallel",
        region=region,
        legal_days=3,
        promised_days=1,
        online_depth="full_online",
        parts=(
            Part(lead, "lead", 1, "企业设立登记，核发营业执照（含电子营业执照）"),
            Part(parallel["gaj"], "parallel", 1, "公章刻制备案（新办企业首套印章免费刻制）"),
            Part(parallel["sw"], "parallel", 1, "新办纳税人套餐：税务信息确认、发票票种核定及申领"),
            Part(parallel["rsj"], "parallel", 1, "单位社会保险登记（养老、工伤、失业）"),
            Part(parallel["ybj"], "parallel", 1, "单位医疗保险登记"),
            Part(
                parallel["gjj"], "parallel", 1, "住房公积金单位缴存登记", timeout="deemed_approval"
            ),
        ),
        materials=(
            Mat(
                "公司登记（备案）申请书",
                "由法定代表人签署；网上申请时在线填写并电子签名。",
                copies="电子件1份（在线生成）",
            ),
            Mat(
                "公司章程", "由全体股东签署（股份有限公司由全体发起人签署）。", types=("pdf", "ofd")
            ),
            Mat(
                "股东（发起人）主体资格证明或自然人身份证明",
                "自然人股东提交身份证；法人股东提交营业执照。",
                types=SCANS,
            ),
            Mat(
                "法定代表人、董事、监事和经理的任职文件及身份证明",
                "股东会决议或任命文件，以及上述人员的身份证明。",
                types=SCANS,
                departments=(lead, parallel["gaj"]),
            ),
            Mat(
                "住所（经营场所）使用证明",
                "自有房产提交不动产权证书；租赁房屋提交租赁合同及产权证明。"
                "暂缺的可容缺受理，承诺在5个工作日内补交。",
                tolerable=True,
                departments=(lead, parallel["sw"]),
            ),
            Mat(
                "员工花名册",
                "用于社会保险、医疗保险和住房公积金登记；暂无员工可不提交。",
                required=False,
                types=("pdf", "jpg", "png"),
                departments=(parallel["rsj"], parallel["ybj"], parallel["gjj"]),
            ),
            AGENT,
        ),
        fields=(
            Fld(
                "company_name",
                "企业名称",
                "text",
                validation={"max_length": 50},
                help_text="如：云浮市某某科技有限公司；已通过名称自主申报的，填写申报名称。",
            ),
            Fld(
                "company_type",
                "企业类型",
                "choice",
                choices=(
                    "有限责任公司（自然人独资）",
                    "有限责任公司（自然人投资或控股）",
                    "股份有限公司",
                    "个人独资企业",
                    "合伙企业",
                ),
            ),
            Fld(
                "registered_capital",
                "注册资本（万元）",
                "number",
                validation={"min": 0.01, "max": 1000000},
            ),
            Fld("address", "住所", "address", help_text="写明县（市、区）、镇街、路名及门牌号。"),
            Fld(
                "business_scope",
                "经营范围",
                "textarea",
                validation={"max_length": 2000},
                help_text="按《经营范围规范表述目录》选择填写。",
            ),
            Fld("legal_rep_name", "法定代表人姓名", "text", validation={"max_length": 30}),
            Fld("legal_rep_id", "法定代表人公民身份号码", "id_number"),
            F_PHONE,
            Fld("employee_count", "从业人数", "number", validation={"min": 0, "max": 100000}),
            Fld(
                "seals",
                "刻制印章",
                "multichoice",
                choices=("公章", "财务专用章", "发票专用章", "合同专用章"),
            ),
            Fld(
                "invoice_type",
                "申领发票种类",
                "choice",
                required=False,
                choices=("数电发票（普通发票）", "数电发票（增值税专用发票）", "暂不申领"),
            ),
            Fld(
                "bank",
                "基本存款账户开户银行",
                "text",
                required=False,
                help_text="用于社会保险费和住房公积金缴存，可开户后补充。",
            ),
            F_EMAIL,
        ),
        legal_basis=(
            "《中华人民共和国公司法》第二十九条：设立公司，应当依法向公司登记机关申请设立登记。\n"
            "《中华人民共和国市场主体登记管理条例》第三条、第十九条：登记机关对申请材料齐全、"
            "符合法定形式的予以确认并当场登记；不能当场登记的，应当在3个工作日内予以登记。\n"
            "《优化营商环境条例》第十九条：国家持续深化商事制度改革，压缩企业开办时间。"
        ),
        conditions=(
            "（一）申请人为具有完全民事行为能力的自然人，或者依法设立的法人、其他组织；\n"
            "（二）企业名称符合《企业名称登记管理规定》，不与同行业已登记名称相同；\n"
            "（三）有符合规定的住所（经营场所）；\n"
            "（四）有符合公司章程规定的全体股东认缴的出资额；\n"
            "（五）法律、行政法规规定的其他条件。"
        ),
        procedure=(
            "1. 网上申请：在本平台“企业开办”一次填报、一次提交全部信息和材料；\n"
            "2. 受理：市场监督管理部门一家受理，材料齐全当场受理，需补正的一次性告知；\n"
            "3. 并联办理：受理后网上转告公安、税务、人社、医保、公积金部门同步办理，各部门在"
            "1个工作日内完成；\n"
            "4. 决定：市场监督管理部门汇总各部门意见，作出登记决定，核发营业执照；\n"
            "5. 出件：电子营业执照即时下载，纸质执照和首套印章可免费寄递或窗口领取。"
        ),
        keywords="企业开办,开公司,注册公司,设立登记,营业执照,刻章,发票,社保登记,公积金开户",
        enquiry_phone=phone,
        service_location=f"{place}企业开办专区",
        result_name="营业执照",
        popularity=popularity,
        deemed_approval_allowed=True,
    )


# 食品经营许可 -------------------------------------------------------------------------------


def _food_licence(
    code: str,
    region: str,
    place: str,
    lead: str,
    stages: tuple[str, ...],
    phone: str,
    popularity: int,
) -> Item:
    return Item(
        code=code,
        name="食品经营许可（新办）",
        category="licensing",
        audience="both",
        service_model="single_department",
        region=region,
        legal_days=20,
        promised_days=5,
        online_depth="online_prereview",
        parts=(Part(lead, "lead", 5, "材料审查、现场核查、作出许可决定", stages=stages),),
        materials=(
            Mat("食品经营许可申请书", copies="电子件1份（在线生成）"),
            LICENCE,
            LEGAL_REP_ID,
            Mat(
                "经营场所平面图及设备布局、操作流程文件",
                "标明经营场所面积、功能分区、主要设备设施位置；餐饮服务还需标明加工制作流程。",
                types=("pdf", "jpg", "png"),
            ),
            Mat(
                "食品安全管理制度文本",
                "含从业人员健康管理、进货查验记录、食品安全自查、食品安全事故处置等制度。",
                tolerable=True,
                types=("pdf", "ofd"),
            ),
            Mat(
                "食品安全管理人员及从业人员健康证明",
                "从事接触直接入口食品工作的人员应取得健康证明。暂缺的可容缺受理，现场核查前补交。",
                tolerable=True,
                types=SCANS,
            ),
            AGENT,
        ),
        fields=(
            F_ENTERPRISE,
            F_CREDIT,
            Fld("legal_rep", "法定代表人（负责人）", "text", validation={"max_length": 30}),
            Fld("premises_address", "经营场所", "address"),
            Fld(
                "business_form",
                "主体业态",
                "choice",
                choices=("食品销售经营者", "餐饮服务经营者", "单位食堂"),
            ),
            Fld(
                "business_items",
                "经营项目",
                "multichoice",
                choices=(
                    "预包装食品销售（含冷藏冷冻食品）",
                    "散装食品销售（含冷藏冷冻食品）",
                    "保健食品销售",
                    "热食类食品制售",
                    "冷食类食品制售",
                    "生食类食品制售",
                    "半成品制售",
                    "自制饮品制售",
                ),
            ),
            Fld("area_sqm", "经营场所面积（平方米）", "number", validation={"min": 1}),
            Fld("safety_manager", "食品安全管理人员", "text"),
            Fld("safety_manager_phone", "食品安全管理人员电话", "phone"),
            Fld("inspection_date", "希望现场核查日期", "date", required=False),
            F_DELIVERY,
        ),
        legal_basis=(
            "《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度。"
            "从事食品销售和餐饮服务，应当依法取得许可。县级以上地方人民政府食品安全监督管理"
            "部门应当自受理申请之日起二十日内对申请人提交的相关资料进行审查；必要时对申请人"
            "的生产经营场所进行现场核查。\n"
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）。"
        ),
        conditions=(
            "（一）具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所；\n"
            "（二）具有与经营的食品品种、数量相适应的经营设备或者设施；\n"
            "（三）有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；\n"
            "（四）具有合理的设备布局和工艺流程，防止交叉污染；\n"
            "（五）法律、法规规定的其他条件。"
        ),
        procedure=(
            "1. 网上申请并预审；2. 受理（材料齐全当场受理，容缺材料可承诺后补）；"
            "3. 材料审查；4. 现场核查（核查人员不少于2人，申请人应在场）；"
            "5. 作出准予或者不予许可决定；6. 发放食品经营许可证（电子证照同步发放）。"
        ),
        keywords="食品经营许可证,餐饮,开饭店,食品销售,小卖部,奶茶店",
        enquiry_phone=phone,
        service_location=f"{place}市场监管窗口",
        result_name="食品经营许可证",
        result_validity_months=60,
        max_visits=1,
        onsite_inspection=True,
        popularity=popularity,
    )


# 个体工商户登记 -----------------------------------------------------------------------------


def _sole_trader(
    code: str, region: str, place: str, lead: str, phone: str, popularity: int
) -> Item:
    return Item(
        code=code,
        name="个体工商户设立登记",
        category="licensing",
        audience="person",
        service_model="single_department",
        region=region,
        legal_days=3,
        promised_days=1,
        online_depth="full_online",
        parts=(Part(lead, "lead", 1, "形式审查，核发营业执照"),),
        materials=(
            Mat("个体工商户登记（备案）申请书", copies="电子件1份（在线生成）"),
            ID_CARD,
            Mat(
                "经营场所使用证明",
                "自有房产提交不动产权证书，租赁的提交租赁合同；可容缺受理，承诺后补交。",
                tolerable=True,
            ),
            AGENT,
        ),
        fields=(
            Fld(
                "trade_name",
                "字号名称",
                "text",
                required=False,
                validation={"max_length": 20},
                help_text="可以不起字号。",
            ),
            Fld("operator_name", "经营者姓名", "text", validation={"max_length": 30}),
            Fld("operator_id", "经营者公民身份号码", "id_number"),
            Fld("business_address", "经营场所", "address"),
            Fld("organisation", "组成形式", "choice", choices=("个人经营", "家庭经营")),
            Fld("business_scope", "经营范围", "textarea", validation={"max_length": 1000}),
            Fld("funds", "资金数额（万元）", "number", validation={"min": 0}),
            Fld("employees", "从业人数", "number", validation={"min": 1, "max": 1000}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国市场主体登记管理条例》第二条、第三条：个体工商户应当依照本条例"
            "办理登记，未经登记，不得以市场主体名义从事经营活动；第十九条：不能当场登记的，"
            "应当在3个工作日内予以登记。\n《促进个体工商户发展条例》。"
        ),
        conditions="有经营能力的公民；有固定的经营场所；经营范围不属于法律、行政法规禁止的"
        "行业；法律、行政法规规定须经批准的项目，已取得批准。",
        procedure="1. 网上申请（手机可办）；2. 登记机关形式审查；3. 核准登记；"
        "4. 电子营业执照即时下载，纸质执照免费寄递。全程网办，零跑动。",
        keywords="个体户,个体工商户,营业执照,小店,摆摊,开店",
        enquiry_phone=phone,
        service_location=f"{place}市场监管窗口",
        result_name="营业执照（个体工商户）",
        popularity=popularity,
    )


# 居住证 ---------------------------------------------------------------------------------------


def _residence_permit(
    code: str, region: str, place: str, lead: str, phone: str, popularity: int
) -> Item:
    return Item(
        code=code,
        name="居住证办理（首次申领）",
        category="certificate",
        audience="person",
        service_model="single_department",
        region=region,
        legal_days=15,
        promised_days=7,
        online_depth="online_prereview",
        parts=(Part(lead, "lead", 7, "居住登记核查，签发居住证"),),
        materials=(
            ID_CARD,
            Mat(
                "本人近期正面免冠彩色照片",
                "白色背景，可在受理点现场免费采集。",
                tolerable=True,
                types=PHOTOS,
                max_size=2 * MB,
                copies="电子件1份",
            ),
            Mat(
                "居住证明",
                "房屋租赁合同、不动产权证书或单位、学校出具的住宿证明之一。",
                types=SCANS,
            ),
            Mat(
                "就业、就读或连续居住证明",
                "劳动合同、营业执照、在读证明或社保缴费证明之一；以连续居住申领的无需提交。",
                required=False,
                types=SCANS,
            ),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld("residence_address", "居住地址", "address"),
            Fld("residence_since", "在本地居住起始日期", "date"),
            Fld(
                "basis", "申领条件", "choice", choices=("合法稳定就业", "合法稳定住所", "连续就读")
            ),
            F_PHONE,
            F_DELIVERY,
        ),
        legal_basis=(
            "《居住证暂行条例》第二条：公民离开常住户口所在地，到其他城市居住半年以上，"
            "符合有合法稳定就业、合法稳定住所、连续就读条件之一的，可以依照本条例的规定申领"
            "居住证；第九条：申领居住证，应当向居住地公安派出所或者受公安机关委托的社区服务"
            "机构提交材料；第十一条：居住证由县级人民政府公安机关签发，受理之日起15日内发放。"
        ),
        conditions="离开常住户口所在地，在本地居住半年以上，并符合合法稳定就业、合法稳定住所、"
        "连续就读条件之一。",
        procedure="1. 网上预约并预审；2. 到居住地派出所或便民服务中心采集照片、核验身份（最多跑"
        "一次）；3. 公安机关审核签发；4. 窗口领取或邮寄送达。",
        keywords="居住证,暂住证,积分入学,外来务工",
        enquiry_phone=phone,
        service_location=f"{place}公安户政窗口及各派出所",
        result_name="广东省居住证",
        max_visits=1,
        popularity=popularity,
    )


ITEMS: list[Item] = [
    _company_setup(
        "445300-SCJG-QYKB",
        CITY,
        "云浮市政务服务中心",
        "yf-scjg",
        {"gaj": "yf-gaj", "sw": "yf-sw", "rsj": "yf-rsj", "ybj": "yf-ybj", "gjj": "yf-gjj"},
        "0766-8832611",
        980,
    ),
    _company_setup(
        "445381-SCJG-QYKB",
        LUODING,
        "罗定市政务服务中心",
        "ld-scjg",
        {"gaj": "ld-gaj", "sw": "ld-sw", "rsj": "ld-rsj", "ybj": "ld-ybj", "gjj": "ld-gjj"},
        "0766-3822611",
        620,
    ),
    _food_licence(
        "445300-SCJG-SPJYXK", CITY, "云浮市政务服务中心", "yf-scjg", THREE, "0766-8832611", 760
    ),
    _food_licence(
        "445381-SCJG-SPJYXK", LUODING, "罗定市政务服务中心", "ld-scjg", ONE, "0766-3822611", 410
    ),
    _sole_trader("445300-SCJG-GTHDJ", CITY, "云浮市政务服务中心", "yf-scjg", "0766-8832611", 700),
    _sole_trader(
        "445381-SCJG-GTHDJ", LUODING, "罗定市政务服务中心", "ld-scjg", "0766-3822611", 520
    ),
    _sole_trader(
        "445321-SCJG-GTHDJ", XINXING, "新兴县政务服务中心", "xx-scjg", "0766-2822611", 480
    ),
    _residence_permit("445300-GAJ-JZZ", CITY, "云浮市政务服务中心", "yf-gaj", "0766-8831110", 560),
    _residence_permit(
        "445321-GAJ-JZZ", XINXING, "新兴县政务服务中心", "xx-gaj", "0766-2821110", 300
    ),
    # 建设工程施工许可: parallel, three-stage review at 住建 and 自然资源 -------------------
    Item(
        code="445300-ZJJ-SGXK",
        name="建筑工程施工许可证核发",
        category="licensing",
        audience="enterprise",
        service_model="parallel",
        region=CITY,
        legal_days=7,
        promised_days=3,
        online_depth="online_prereview",
        parts=(
            Part("yf-zjj", "lead", 3, "审查施工许可条件，核发建筑工程施工许可证", stages=THREE),
            Part("yf-zrzy", "parallel", 2, "核验用地批准手续和建设工程规划许可证", stages=THREE),
            Part(
                "yf-xfzd",
                "parallel",
                2,
                "消防车通道、消防救援场地等消防救援条件意见",
                timeout="deemed_approval",
            ),
            Part(
                "yf-sthj",
                "parallel",
                2,
                "核验建设项目环境影响评价审批（备案）手续",
                timeout="deemed_approval",
            ),
        ),
        materials=(
            Mat(
                "建筑工程施工许可证申请表",
                "由建设单位法定代表人签署并加盖公章。",
                copies="电子件1份（在线生成）",
            ),
            Mat(
                "建设工程用地批准手续",
                "不动产权证书或建设用地批准书。",
                source="自然资源部门核发",
                departments=("yf-zjj", "yf-zrzy"),
            ),
            Mat(
                "建设工程规划许可证",
                "城市、镇规划区内的建筑工程提交，含附图附件。",
                source="自然资源部门核发",
                departments=("yf-zjj", "yf-zrzy"),
            ),
            Mat(
                "施工图设计文件审查合格书",
                "施工图审查机构出具的审查合格书及审查意见回复。",
                source="施工图审查机构出具",
            ),
            Mat(
                "中标通知书及施工合同",
                "依法必须招标的工程提交中标通知书；直接发包的提交直接发包批准文件。",
            ),
            Mat("监理合同", "依法应当实行监理的工程提交。", required=False),
            Mat("建设资金已经落实承诺书", "建设单位法定代表人签署的承诺书。", types=("pdf", "ofd")),
            Mat(
                "特殊建设工程消防设计审查意见书",
                "特殊建设工程提交；其他建设工程提交消防设计文件。可容缺受理。",
                tolerable=True,
                source="住房和城乡建设部门出具",
                departments=("yf-zjj", "yf-xfzd"),
            ),
            Mat(
                "建设项目环境影响评价批复（备案）文件",
                "按环评分类管理名录应当审批或备案的项目提交。可容缺受理。",
                tolerable=True,
                source="生态环境部门核发",
                departments=("yf-sthj",),
            ),
            Mat("工程质量安全监督手续", "可在领取施工许可证前补交。", tolerable=True),
        ),
        fields=(
            Fld("project_name", "项目名称", "text", validation={"max_length": 100}),
            Fld(
                "project_code",
                "投资项目代码",
                "text",
                validation={"pattern": r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"},
                help_text="投资项目在线审批监管平台赋码，如 2026-445302-47-01-012345。",
            ),
            Fld("project_address", "建设地址", "address"),
            Fld("builder_name", "建设单位", "text"),
            Fld("builder_credit_code", "建设单位统一社会信用代码", "credit_code"),
            Fld("contractor_name", "施工总承包单位", "text"),
            Fld("contractor_credit_code", "施工单位统一社会信用代码", "credit_code"),
            Fld("supervisor_name", "监理单位", "text", required=False),
            Fld("contract_price", "合同价格（万元）", "number", validation={"min": 0}),
            Fld("floor_area", "建筑面积（平方米）", "number", validation={"min": 0}),
            Fld(
                "structure",
                "结构类型",
                "choice",
                choices=("框架结构", "框架-剪力墙结构", "剪力墙结构", "钢结构", "砖混结构"),
            ),
            Fld("planned_start", "计划开工日期", "date"),
            Fld("planned_finish", "计划竣工日期", "date"),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国建筑法》第七条：建筑工程开工前，建设单位应当按照国家有关规定向"
            "工程所在地县级以上人民政府建设行政主管部门申请领取施工许可证；第八条：建设行政"
            "主管部门应当自收到申请之日起七日内，对符合条件的申请颁发施工许可证。\n"
            "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）第四条、第五条。"
        ),
        conditions=(
            "（一）依法应当办理用地批准手续的，已经办理该建筑工程用地批准手续；\n"
            "（二）在城市、镇规划区的建筑工程，已经取得建设工程规划许可证；\n"
            "（三）施工场地已经基本具备施工条件，需要征收房屋的，其进度符合施工要求；\n"
            "（四）已经确定施工企业；\n"
            "（五）有满足施工需要的技术资料，施工图设计文件已按规定审查合格；\n"
            "（六）有保证工程质量和安全的具体措施；\n"
            "（七）建设资金已经落实。"
        ),
        procedure=(
            "1. 网上申请：在工程建设项目审批管理系统一次提交；\n"
            "2. 受理：住房和城乡建设部门一窗受理，容缺材料可承诺后补；\n"
            "3. 并联审查：自然资源、消防救援、生态环境部门同步出具意见，逾期未答复的视为同意；\n"
            "4. 审查决定：住房和城乡建设部门承办、审核、签发三级审批；\n"
            "5. 发证：核发建筑工程施工许可证（电子证照）。"
        ),
        keywords="施工许可证,开工许可,工程建设,建筑工程,工改",
        enquiry_phone="0766-8823152",
        service_location="云浮市政务服务中心工程建设项目审批窗口",
        result_name="建筑工程施工许可证",
        max_visits=0,
        deemed_approval_allowed=True,
        popularity=540,
    ),
    # 出入境证件: core-department, sequential consultations -----------------------------------
    Item(
        code="445300-GAJ-PTHZ",
        name="普通护照签发（出入境证件办理）",
        category="certificate",
        audience="person",
        service_model="core_department",
        region=CITY,
        legal_days=15,
        promised_days=7,
        online_depth="online_prereview",
        consult_mode="sequential",
        parts=(
            Part("yf-gaj-crj", "lead", 7, "受理、审批、制证签发"),
            Part("yf-gaj-za", "consult", 2, "核查户籍信息及法定不准出境情形"),
            Part("yf-rsj", "consult", 2, "核查申请人是否属于登记备案的国家工作人员"),
        ),
        materials=(
            ID_CARD,
            Mat(
                "出入境证件数码照片",
                "可在出入境受理窗口现场免费采集，或上传“照片回执”。",
                tolerable=True,
                types=PHOTOS,
                max_size=2 * MB,
            ),
            Mat(
                "国家工作人员出境审批意见",
                "登记备案的国家工作人员提交所在单位或上级主管部门出具的同意出境意见。",
                required=False,
                types=SCANS,
            ),
            Mat(
                "监护关系证明",
                "未满16周岁的申请人提交出生医学证明或户口簿等。",
                required=False,
                types=SCANS,
            ),
        ),
        fields=(
            F_APPLICANT,
            Fld(
                "name_pinyin",
                "姓名拼音",
                "text",
                validation={"pattern": r"^[A-Z ]{2,60}$"},
                help_text="大写拼音，如 ZHANG WEI",
            ),
            F_ID,
            Fld("gender", "性别", "choice", choices=("男", "女")),
            Fld("birth_date", "出生日期", "date"),
            Fld("household_address", "户籍地址", "address"),
            Fld(
                "occupation",
                "职业",
                "choice",
                choices=("企业职员", "国家工作人员", "学生", "个体经营者", "离退休人员", "其他"),
            ),
            Fld(
                "reason",
                "出境事由",
                "choice",
                choices=("旅游", "探亲访友", "商务", "留学", "就业", "其他"),
            ),
            F_PHONE,
            Fld("emergency_contact", "紧急联系人", "text"),
            Fld("emergency_phone", "紧急联系人电话", "phone"),
            F_DELIVERY,
        ),
        legal_basis=(
            "《中华人民共和国护照法》第五条：公民因前往外国定居、探亲、学习、就业、旅行、从事"
            "商务活动等非公务原因出国的，由本人向户籍所在地的县级以上地方人民政府公安机关"
            "出入境管理机构申请普通护照；第六条：公安机关出入境管理机构应当自收到申请材料之日"
            "起十五日内签发普通护照。\n《中华人民共和国出境入境管理法》第九条、第十二条。"
        ),
        conditions="中国公民，因私出国；不具有《护照法》第十三条、《出境入境管理法》第十二条"
        "规定的不予签发或者不准出境情形。",
        procedure=(
            "1. 网上预约并预审（可全国通办，就近受理）；\n"
            "2. 出入境管理部门（核心部门）受理，现场采集照片和指纹；\n"
            "3. 依次征求治安（户籍核查）、人力资源社会保障（国家工作人员登记备案核查）意见；\n"
            "4. 出入境管理部门审批、制证；5. 邮寄送达或窗口领取。"
        ),
        keywords="出入境,护照,出国,办护照,出入境证件",
        enquiry_phone="0766-8836022",
        service_location="云浮市政务服务中心公安出入境窗口",
        fees="普通护照每本120元（首次申领、换发、补发）。",
        is_free=False,
        result_name="中华人民共和国普通护照",
        result_validity_months=120,
        max_visits=1,
        popularity=610,
    ),
]

# The remaining items are built with keyword arguments so each reads like its guide. -----------

ITEMS += [
    # 医疗机构执业登记: core-department with consultations all at once (并行征求意见).
    Item(
        code="445300-WSJ-YLJGZYDJ",
        name="医疗机构执业登记",
        category="licensing",
        audience="enterprise",
        service_model="core_department",
        region=CITY,
        legal_days=45,
        promised_days=20,
        online_depth="online_prereview",
        consult_mode="parallel",
        parts=(
            Part("yf-wsj", "lead", 20, "审核执业条件，组织现场审核，核发执业许可证"),
            Part("yf-sthj", "consult", 5, "医疗废物和医疗污水处置的环境保护意见"),
            Part("yf-xfzd", "consult", 5, "消防安全条件意见"),
        ),
        materials=(
            Mat("医疗机构执业登记申请书", copies="电子件1份（在线生成）"),
            Mat("医疗机构用房产权证明或者使用证明"),
            Mat("医疗机构建筑设计平面图", types=("pdf", "jpg", "png")),
            Mat("验资证明、资产评估报告", source="会计师事务所出具"),
            Mat("医疗机构规章制度"),
            Mat(
                "医疗机构法定代表人或者主要负责人以及各科室负责人名录和有关资格证书、执业证书",
                types=SCANS,
            ),
            Mat(
                "医疗废物处置协议",
                "与有资质的医疗废物集中处置单位签订的协议。",
                departments=("yf-wsj", "yf-sthj"),
            ),
        ),
        fields=(
            Fld("institution_name", "医疗机构名称", "text"),
            Fld(
                "institution_type",
                "医疗机构类别",
                "choice",
                choices=("综合医院", "专科医院", "门诊部", "诊所", "中医医院", "康复医院"),
            ),
            Fld(
                "ownership",
                "所有制形式",
                "choice",
                choices=("国有", "集体", "私有", "股份合作", "其他"),
            ),
            Fld("address", "执业地址", "address"),
            Fld("departments_offered", "诊疗科目", "textarea"),
            Fld("beds", "床位（张）", "number", validation={"min": 0}),
            Fld("principal", "主要负责人", "text"),
            F_CREDIT,
            F_PHONE,
        ),
        legal_basis=(
            "《医疗机构管理条例》第十四条：医疗机构执业，必须进行登记，领取《医疗机构执业"
            "许可证》；第十六条：登记机关在受理医疗机构执业登记申请后，应当按照规定进行审核，"
            "自受理之日起45日内作出决定。"
        ),
        conditions="已按规定完成设置审批（需设置审批的）；有符合医疗机构基本标准的名称、"
        "组织机构、场所、设备、卫生技术人员和规章制度；能够独立承担民事责任。",
        procedure="1. 网上申请并预审；2. 卫生健康部门（核心部门）受理；3. 同时征求生态环境、"
        "消防救援意见；4. 现场审核；5. 作出登记决定，核发《医疗机构执业许可证》。",
        keywords="医疗机构,诊所,门诊部,执业许可证,开诊所",
        enquiry_phone="0766-8822851",
        service_location="云浮市政务服务中心卫生健康窗口",
        result_name="医疗机构执业许可证",
        onsite_inspection=True,
        max_visits=1,
        popularity=180,
    ),
    Item(
        code="445300-WSJ-GGCSWSXK",
        name="公共场所卫生许可（告知承诺制）",
        category="licensing",
        audience="enterprise",
        service_model="single_department",
        region=CITY,
        legal_days=20,
        promised_days=3,
        online_depth="full_online",
        parts=(Part("yf-wsj", "lead", 3, "告知承诺审查，核发卫生许可证"),),
        materials=(
            Mat("公共场所卫生许可申请表", copies="电子件1份（在线生成）"),
            LICENCE,
            LEGAL_REP_ID,
            Mat("公共场所地址方位示意图、平面图和卫生设施平面布局图", types=("pdf", "jpg", "png")),
            Mat(
                "公共场所卫生检测或者评价报告",
                "可在承诺期限内补交。",
                tolerable=True,
                source="有资质的检测机构出具",
            ),
            Mat("卫生管理制度及从业人员健康合格证明", types=SCANS),
            Mat("告知承诺书", "申请人签署的符合许可条件的书面承诺。", types=("pdf", "ofd")),
        ),
        fields=(
            F_ENTERPRISE,
            F_CREDIT,
            Fld(
                "venue_type",
                "场所类别",
                "choice",
                choices=("宾馆、酒店", "美容美发店", "沐浴场所", "游泳场所", "影剧院", "歌舞厅"),
            ),
            Fld("venue_address", "场所地址", "address"),
            Fld("area_sqm", "营业面积（平方米）", "number", validation={"min": 1}),
            Fld("staff_count", "从业人员数", "number", validation={"min": 1}),
            F_PHONE,
        ),
        legal_basis=(
            "《公共场所卫生管理条例》第八条：除公园、体育场（馆）、公共交通工具外的公共场所，"
            "经营单位应当及时向卫生行政部门申请办理“卫生许可证”。\n"
            "《公共场所卫生管理条例实施细则》第二十二条。"
        ),
        conditions="有符合卫生要求的场所和设施；卫生检测或者评价合格；有卫生管理制度和专（兼）职"
        "卫生管理人员；从业人员取得健康合格证明。",
        procedure="1. 网上申请并签署告知承诺书；2. 审查承诺及材料；3. 当场或3个工作日内发证；"
        "4. 发证后现场核查承诺内容。",
        keywords="卫生许可证,美容美发,宾馆,酒店,公共场所",
        enquiry_phone="0766-8822851",
        service_location="云浮市政务服务中心卫生健康窗口",
        result_name="公共场所卫生许可证",
        result_validity_months=48,
        popularity=260,
    ),
    Item(
        code="445300-STHJ-PWXK",
        name="排污许可证核发（重点管理、简化管理）",
        category="environment",
        audience="enterprise",
        service_model="single_department",
        region=CITY,
        legal_days=20,
        promised_days=10,
        online_depth="full_online",
        parts=(Part("yf-sthj", "lead", 10, "技术审查、必要时现场核查，核发排污许可证"),),
        materials=(
            Mat("排污许可证申请表", "通过全国排污许可证管理信息平台填报后导出。", types=("pdf",)),
            Mat("自行监测方案", types=("pdf",)),
            Mat("建设项目环境影响评价文件审批文号或备案材料", source="生态环境部门核发"),
            Mat("排污口和监测孔规范化设置情况说明", types=("pdf", "jpg", "png")),
            Mat("申请前信息公开情况说明", "重点管理排污单位提交。", required=False),
            Mat("守法承诺书", "法定代表人或主要负责人签字或盖章。", types=("pdf", "ofd")),
        ),
        fields=(
            F_ENTERPRISE,
            F_CREDIT,
            Fld("industry", "行业类别", "text", help_text="按《固定污染源排污许可分类管理名录》"),
            Fld("management_class", "管理类别", "choice", choices=("重点管理", "简化管理")),
            Fld("site_address", "生产经营场所地址", "address"),
            Fld(
                "main_pollutants",
                "主要污染物种类",
                "multichoice",
                choices=("化学需氧量", "氨氮", "二氧化硫", "氮氧化物", "颗粒物", "挥发性有机物"),
            ),
            Fld("discharge_outlets", "排放口数量", "number", validation={"min": 0}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国环境保护法》第四十五条：国家依照法律规定实行排污许可管理制度。\n"
            "《排污许可管理条例》第二条、第十三条：审批部门应当自受理申请之日起20日内作出"
            "审批决定。"
        ),
        conditions="依法取得建设项目环境影响评价审批或备案；污染物排放符合排放标准和总量控制"
        "要求；自行监测方案符合规定。",
        procedure="1. 在全国排污许可证管理信息平台申请；2. 受理；3. 技术审查（必要时现场核查）；"
        "4. 作出许可决定并公开。",
        keywords="排污许可证,排污证,环保,污染物排放",
        enquiry_phone="0766-8812369",
        service_location="云浮市政务服务中心工程建设项目审批窗口",
        result_name="排污许可证",
        result_validity_months=60,
        popularity=150,
    ),
    Item(
        code="445300-JTJ-DLKYXK",
        name="道路旅客运输经营许可",
        category="licensing",
        audience="enterprise",
        service_model="single_department",
        region=CITY,
        legal_days=20,
        promised_days=10,
        online_depth="online_prereview",
        parts=(Part("yf-jtj", "lead", 10, "审查客运经营条件，作出许可决定"),),
        materials=(
            Mat("道路旅客运输经营申请表", copies="电子件1份（在线生成）"),
            LICENCE,
            LEGAL_REP_ID,
            Mat(
                "拟投入车辆承诺书",
                "包括客车数量、类型及等级、技术等级、座位数等。",
                types=("pdf", "ofd"),
            ),
            Mat("已聘用或者拟聘用驾驶人员的驾驶证和从业资格证", types=SCANS),
            Mat("安全生产管理制度文本", types=("pdf", "ofd")),
        ),
        fields=(
            F_ENTERPRISE,
            F_CREDIT,
            Fld(
                "scope",
                "申请经营范围",
                "multichoice",
                choices=("县内班车客运", "县际班车客运", "市际班车客运", "包车客运", "旅游客运"),
            ),
            Fld("vehicles", "拟投入客车数量（辆）", "number", validation={"min": 1}),
            Fld("drivers", "驾驶人员数量（人）", "number", validation={"min": 1}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国道路运输条例》第八条：申请从事客运经营的应当具备的条件；第十条："
            "从事市际客运经营的，向所在地设区的市级人民政府交通运输主管部门提出申请，"
            "交通运输主管部门应当自受理申请之日起20日内审查完毕，作出许可或者不予许可的决定。"
        ),
        conditions="有与其经营业务相适应并经检测合格的车辆；有符合规定条件的驾驶人员；"
        "有健全的安全生产管理制度。",
        procedure="1. 网上申请并预审；2. 受理；3. 审查；4. 作出许可决定，核发《道路运输经营"
        "许可证》。",
        keywords="客运,道路运输经营许可证,班车,包车,旅游客运",
        enquiry_phone="0766-8822368",
        service_location="云浮市政务服务中心交通运输窗口",
        result_name="道路运输经营许可证",
        result_validity_months=48,
        max_visits=1,
        popularity=90,
    ),
    Item(
        code="445300-JYJ-JSZGRD",
        name="教师资格认定",
        category="education_culture",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=30,
        promised_days=15,
        online_depth="online_prereview",
        parts=(Part("yf-jyj", "lead", 15, "审查学历、普通话、体检和思想品德条件，颁发证书"),),
        materials=(
            ID_CARD,
            Mat("学历证书", "可通过学信网在线核验的免于提交。", types=SCANS),
            Mat("中小学教师资格考试合格证明", "免考人员提交相应证明。", types=SCANS),
            Mat("普通话水平测试等级证书", types=SCANS, tolerable=True),
            Mat("体检结论", "在认定机构指定的医院体检。", types=SCANS, source="指定医疗机构出具"),
            Mat("个人承诺书", "思想品德情况承诺。", types=("pdf", "ofd")),
            Mat("本人近期免冠证件照", types=PHOTOS, max_size=2 * MB),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld(
                "certificate_type",
                "申请资格种类",
                "choice",
                choices=(
                    "幼儿园教师资格",
                    "小学教师资格",
                    "初级中学教师资格",
                    "高级中学教师资格",
                    "中等职业学校教师资格",
                ),
            ),
            Fld("subject", "任教学科", "text"),
            Fld(
                "education",
                "最高学历",
                "choice",
                choices=("中专", "大专", "本科", "硕士研究生", "博士研究生"),
            ),
            Fld(
                "putonghua",
                "普通话等级",
                "choice",
                choices=("一级乙等及以上", "二级甲等", "二级乙等"),
            ),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国教师法》第十条：国家实行教师资格制度；第十三条：中小学教师资格由"
            "县级以上地方人民政府教育行政部门认定。\n《教师资格条例》。"
        ),
        conditions="遵守宪法和法律，热爱教育事业，具有良好的思想品德；具备《教师法》规定的学历"
        "或者经国家教师资格考试合格；有教育教学能力。",
        procedure="1. 中国教师资格网网上申报；2. 现场确认（可网上核验的最多跑一次）；"
        "3. 教育部门审查；4. 颁发教师资格证书。",
        keywords="教师资格证,教资,教师认定",
        enquiry_phone="0766-8822612",
        service_location="云浮市政务服务中心教育窗口",
        result_name="教师资格证书",
        max_visits=1,
        popularity=330,
    ),
    # 确认、公共服务、社会保障 --------------------------------------------------------------
    Item(
        code="445300-ZRZY-BDCZYDJ",
        name="不动产转移登记（存量房买卖）",
        category="confirmation",
        audience="both",
        service_model="parallel",
        region=CITY,
        legal_days=30,
        promised_days=5,
        online_depth="online_prereview",
        parts=(
            Part("yf-zrzy", "lead", 5, "不动产登记审核、登簿、缮证"),
            Part("yf-sw", "parallel", 2, "存量房交易契税、增值税等税费核定征收"),
        ),
        materials=(
            Mat("不动产登记申请书", copies="电子件1份（在线生成）"),
            Mat("买卖双方身份证明", types=SCANS),
            Mat("不动产权属证书", source="不动产登记机构核发"),
            Mat("存量房买卖合同", "经网签备案的买卖合同。", departments=("yf-zrzy", "yf-sw")),
            Mat(
                "婚姻状况证明",
                "已婚的提交结婚证，可容缺受理、承诺后补。",
                tolerable=True,
                types=SCANS,
                departments=("yf-zrzy", "yf-sw"),
            ),
            AGENT,
        ),
        fields=(
            Fld("property_certificate_no", "不动产权证书号", "text"),
            Fld("property_address", "不动产坐落", "address"),
            Fld("seller_name", "出卖人", "text"),
            Fld("seller_id", "出卖人公民身份号码", "id_number"),
            Fld("buyer_name", "买受人", "text"),
            Fld("buyer_id", "买受人公民身份号码", "id_number"),
            Fld("price", "成交价格（万元）", "number", validation={"min": 0}),
            Fld("area_sqm", "建筑面积（平方米）", "number", validation={"min": 1}),
            Fld("first_home", "买受人家庭是否首套住房", "bool"),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国民法典》第二百零九条、第二百一十条：不动产物权的设立、变更、转让和"
            "消灭，经依法登记，发生效力；不动产登记由不动产所在地的登记机构办理。\n"
            "《不动产登记暂行条例》第二十条：不动产登记机构应当自受理登记申请之日起30个工作日"
            "内办结不动产登记手续。"
        ),
        conditions="不动产权属清晰，未被查封；买卖双方已签订并网签备案买卖合同；依法缴纳相关税费。",
        procedure="1. 网上预审；2. “一窗受理”：登记、税务同窗收件；3. 并行办理：自然资源部门"
        "登记审核，税务部门同步核税，申请人线上缴税；4. 登簿；5. 发证（电子证照同步发放）。",
        keywords="过户,二手房,房产证,不动产权证,转移登记",
        enquiry_phone="0766-8826233",
        service_location="云浮市政务服务中心不动产登记窗口",
        fees="住宅每件80元，非住宅每件550元（含第一本证书工本费）。",
        is_free=False,
        result_name="不动产权证书",
        max_visits=1,
        popularity=690,
    ),
    Item(
        code="445300-GAJ-HKQY",
        name="户口迁移（市内迁入）",
        category="confirmation",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=20,
        promised_days=5,
        online_depth="online_prereview",
        parts=(Part("yf-gaj", "lead", 5, "审核迁入条件，办理迁入登记"),),
        materials=(
            ID_CARD,
            Mat("居民户口簿", types=SCANS),
            Mat(
                "迁入地合法稳定住所证明",
                "不动产权证书或购房合同；投靠亲属的提交亲属关系证明。",
                types=SCANS,
            ),
            Mat(
                "婚姻或亲属关系证明",
                "夫妻投靠、子女投靠父母等情形提交。",
                required=False,
                types=SCANS,
            ),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld("from_address", "现户籍地址", "address"),
            Fld("to_address", "迁入地址", "address"),
            Fld(
                "reason",
                "迁移类别",
                "choice",
                choices=("购房迁入", "夫妻投靠", "子女投靠父母", "父母投靠子女", "人才引进"),
            ),
            Fld("movers", "随迁人数", "number", validation={"min": 0, "max": 10}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国户口登记条例》第十条：公民迁出本户口管辖区，由本人或者户主在迁出前"
            "向户口登记机关申报迁出登记；第十三条：公民迁移，从到达迁入地的时候起，城市在三日"
            "以内，农村在十日以内，由本人或者户主持迁移证件向户口登记机关申报迁入登记。"
        ),
        conditions="在迁入地有合法稳定住所，或符合投靠亲属、人才引进等迁入条件。",
        procedure="1. 网上申请预审；2. 派出所受理；3. 公安机关审核；4. 办理迁入登记，"
        "市内迁移“一站式”办结，无需回迁出地。",
        keywords="户口迁移,迁户口,入户,落户",
        enquiry_phone="0766-8831110",
        service_location="云浮市政务服务中心公安户政窗口及各派出所",
        result_name="居民户口簿（迁入登记）",
        max_visits=1,
        popularity=450,
    ),
    Item(
        code="445300-GJJ-ZFGJJTQ",
        name="住房公积金提取（购房、租房、离退休）",
        category="public_service",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=3,
        promised_days=1,
        online_depth="full_online",
        parts=(Part("yf-gjj", "lead", 1, "核定提取条件和额度，划转资金"),),
        materials=(
            Mat(
                "提取原因证明",
                "购房提交购房合同或不动产权证书；租房提交租赁合同（本市无房"
                "租房可免提交）；离退休提交退休证明。",
                types=SCANS,
            ),
            Mat("本人银行卡", "本人名下的一类银行账户。", types=PHOTOS, max_size=2 * MB),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld(
                "reason",
                "提取原因",
                "choice",
                choices=("购买自住住房", "租赁自住住房", "离休、退休", "偿还购房贷款本息"),
            ),
            Fld("amount", "申请提取金额（元）", "number", validation={"min": 1}),
            Fld("bank_account", "收款银行账号", "text", validation={"pattern": r"^\d{12,19}$"}),
            F_PHONE,
        ),
        legal_basis=(
            "《住房公积金管理条例》第二十四条：职工购买、建造、翻建、大修自住住房的，离休、"
            "退休的等情形，可以提取职工住房公积金账户内的存储余额；第二十五条：住房公积金管理"
            "中心应当自受理申请之日起3日内作出准予提取或者不准提取的决定，并通知申请人。"
        ),
        conditions="符合《住房公积金管理条例》第二十四条规定的提取情形，账户状态正常。",
        procedure="1. 手机或网上申请；2. 系统自动核验购房、租房、退休信息；3. 审核通过后1个"
        "工作日内资金到账。",
        keywords="公积金提取,提公积金,取公积金,租房提取",
        enquiry_phone="0766-8812329",
        service_location="云浮市政务服务中心公积金窗口",
        popularity=880,
    ),
    Item(
        code="445300-RSJ-CXJMYLBX",
        name="城乡居民基本养老保险参保登记",
        category="social_security",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=10,
        promised_days=1,
        online_depth="full_online",
        parts=(Part("yf-rsj", "lead", 1, "核验参保资格，办理参保登记"),),
        materials=(ID_CARD,),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld("household_type", "户籍性质", "choice", choices=("农村户籍", "城镇户籍")),
            Fld("household_address", "户籍地址", "address"),
            Fld(
                "contribution_level",
                "缴费档次（元/年）",
                "choice",
                choices=("180", "360", "600", "900", "1200", "1800", "3600", "4800"),
            ),
            Fld("bank_account", "代扣银行账号", "text", validation={"pattern": r"^\d{12,19}$"}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国社会保险法》第二十条、第二十二条：国家建立和完善新型农村社会养老"
            "保险制度、城镇居民社会养老保险制度，可以合并实施。\n"
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）。"
        ),
        conditions="年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本"
        "养老保险制度覆盖范围的城乡居民，在户籍地参保。",
        procedure="1. 网上或“粤省事”申请；2. 系统核验身份和参保状态；3. 即时办结，次月起代扣缴费。",
        keywords="城乡居民养老保险,居民社保,农村养老保险,参保",
        enquiry_phone="0766-8812333",
        service_location="云浮市政务服务中心社保窗口及各镇街便民服务中心",
        popularity=640,
    ),
    Item(
        code="445300-RSJ-SBKSL",
        name="社会保障卡申领",
        category="social_security",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=10,
        promised_days=5,
        online_depth="full_online",
        parts=(Part("yf-rsj", "lead", 5, "信息核验、制卡、发卡"),),
        materials=(
            ID_CARD,
            Mat(
                "本人近期免冠彩色证件照",
                "白色背景，可使用“照片回执”。",
                types=PHOTOS,
                max_size=2 * MB,
            ),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld(
                "bank",
                "金融功能合作银行",
                "choice",
                choices=(
                    "中国工商银行",
                    "中国农业银行",
                    "中国银行",
                    "中国建设银行",
                    "中国邮政储蓄银行",
                    "广东农信",
                ),
            ),
            F_DELIVERY,
            Fld("mailing_address", "邮寄地址", "address", required=False),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国社会保险法》第五十八条：国家建立全国统一的个人社会保障号码。"
            "个人社会保障号码为公民身份号码。"
        ),
        conditions="已参加本市社会保险或拟在本市参保的人员，首次申领。",
        procedure="1. 网上申请；2. 人社部门核验信息；3. 银行制卡；4. 邮寄或网点领取，"
        "同步签发电子社保卡。",
        keywords="社保卡,社会保障卡,办社保卡,电子社保卡",
        enquiry_phone="0766-8812333",
        service_location="云浮市政务服务中心社保窗口及各合作银行网点",
        result_name="社会保障卡",
        popularity=720,
    ),
    Item(
        code="445300-YBJ-YBGXZYJX",
        name="基本医疗保险关系转移接续",
        category="social_security",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=15,
        promised_days=7,
        online_depth="full_online",
        parts=(Part("yf-ybj", "lead", 7, "核对转出地参保凭证，办理转入接续"),),
        materials=(
            Mat(
                "参保凭证",
                "转出地医保经办机构出具；已通过全国医保信息平台联办的免于提交。",
                required=False,
                source="转出地医保经办机构出具",
            ),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld("from_region", "转出地", "text", help_text="如：广东省广州市"),
            Fld(
                "insurance_type",
                "险种",
                "choice",
                choices=("职工基本医疗保险", "城乡居民基本医疗保险"),
            ),
            Fld("transfer_direction", "办理类型", "choice", choices=("转入本市", "转出本市")),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国社会保险法》第三十二条：个人跨统筹地区就业的，其基本医疗保险关系随"
            "本人转移，缴费年限累计计算。\n"
            "《基本医疗保障关系转移接续暂行办法》（医保发〔2021〕43号）。"
        ),
        conditions="跨统筹地区流动就业，已在转入地参保。",
        procedure="1. 在转入地申请（跨省通办，无需两地跑）；2. 两地医保经办机构线上联办；"
        "3. 办结后短信告知。",
        keywords="医保转移,医保关系转移,医保接续,异地医保",
        enquiry_phone="0766-8833066",
        service_location="云浮市政务服务中心医保窗口",
        popularity=430,
    ),
    # 申报、查询 ------------------------------------------------------------------------------
    Item(
        code="445300-SW-JYSDSB",
        name="个人所得税经营所得纳税申报",
        category="declaration",
        audience="both",
        service_model="single_department",
        region=CITY,
        legal_days=5,
        promised_days=1,
        online_depth="full_online",
        parts=(Part("yf-sw", "lead", 1, "接收申报，比对核验，开具完税证明"),),
        materials=(
            Mat(
                "经营所得纳税申报表",
                "个人所得税经营所得纳税申报表（A表或B表）。",
                types=("pdf", "ofd"),
                copies="电子件1份（在线生成）",
            ),
            Mat(
                "财务会计报表",
                "查账征收的提交；核定征收的无需提交。",
                required=False,
                types=("pdf", "ofd"),
            ),
        ),
        fields=(
            Fld("taxpayer_name", "纳税人姓名", "text"),
            F_ID,
            Fld("invested_unit", "被投资单位（个体工商户等）名称", "text"),
            Fld("invested_unit_code", "被投资单位统一社会信用代码", "credit_code"),
            Fld(
                "period",
                "所属期",
                "choice",
                choices=("第一季度", "第二季度", "第三季度", "第四季度", "年度汇算"),
            ),
            Fld("income", "收入总额（元）", "number", validation={"min": 0}),
            Fld("costs", "成本费用（元）", "number", validation={"min": 0}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国个人所得税法》第十二条：纳税人取得经营所得，按年计算个人所得税，"
            "由纳税人在月度或者季度终了后十五日内向税务机关报送纳税申报表，并预缴税款；在取得"
            "所得的次年三月三十一日前办理汇算清缴。"
        ),
        conditions="取得经营所得的个体工商户业主、个人独资企业投资人、合伙企业个人合伙人等。",
        procedure="1. 电子税务局或本平台在线申报；2. 系统比对；3. 网上缴款；4. 开具完税证明。",
        keywords="个税申报,经营所得,个体户报税,纳税申报",
        enquiry_phone="0766-8812366",
        service_location="云浮市政务服务中心税务综合窗口",
        popularity=380,
    ),
    Item(
        code="445300-SW-SBFSB",
        name="社会保险费缴费申报（单位）",
        category="declaration",
        audience="enterprise",
        service_model="single_department",
        region=CITY,
        legal_days=5,
        promised_days=1,
        online_depth="full_online",
        parts=(Part("yf-sw", "lead", 1, "核定缴费基数，征收社会保险费"),),
        materials=(
            Mat("社会保险费缴费申报表", types=("pdf", "ofd"), copies="电子件1份（在线生成）"),
            Mat("职工工资总额明细", types=("pdf",)),
        ),
        fields=(
            F_ENTERPRISE,
            F_CREDIT,
            Fld(
                "period",
                "费款所属期",
                "text",
                validation={"pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
                help_text="如 2026-11",
            ),
            Fld("insured_count", "参保人数", "number", validation={"min": 1}),
            Fld("wage_total", "缴费工资总额（元）", "number", validation={"min": 0}),
            F_PHONE,
        ),
        legal_basis=(
            "《中华人民共和国社会保险法》第六十条：用人单位应当自行申报、按时足额缴纳社会保险费。"
            "\n《社会保险费征缴暂行条例》第十条。"
        ),
        conditions="已办理社会保险登记的用人单位，按月申报。",
        procedure="1. 电子税务局或本平台申报；2. 核定应缴费额；3. 网上缴费；4. 打印缴费凭证。",
        keywords="社保费申报,社保缴费,单位社保",
        enquiry_phone="0766-8812366",
        service_location="云浮市政务服务中心税务综合窗口",
        popularity=290,
    ),
    Item(
        code="445300-RSJ-SBQYJLCX",
        name="社会保险个人权益记录查询打印",
        category="lookup_service",
        audience="person",
        service_model="single_department",
        region=CITY,
        legal_days=1,
        promised_days=1,
        online_depth="full_online",
        parts=(Part("yf-rsj", "lead", 1, "出具个人参保缴费记录"),),
        materials=(),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld(
                "record_type",
                "查询内容",
                "multichoice",
                choices=(
                    "养老保险缴费明细",
                    "工伤保险参保证明",
                    "失业保险参保证明",
                    "参保缴费凭证",
                ),
            ),
            Fld("period_from", "起始年月", "date", required=False),
            Fld("period_to", "截止年月", "date", required=False),
        ),
        legal_basis=(
            "《中华人民共和国社会保险法》第七十四条：社会保险经办机构应当完整、准确地记录参加"
            "社会保险的人员、缴费等社会保险数据；个人可以免费向社会保险经办机构查询、核对其缴费"
            "和享受社会保险待遇记录。"
        ),
        conditions="本人查询本人的社会保险权益记录。",
        procedure="网上申请，即时生成带电子签章的参保证明，可自行下载打印。",
        keywords="社保查询,参保证明,社保缴费记录,打印社保",
        enquiry_phone="0766-8812333",
        service_location="云浮市政务服务中心社保窗口及自助终端",
        result_name="社会保险参保缴费证明",
        popularity=900,
    ),
    Item(
        code="445300-ZRZY-BDCDJZLCX",
        name="不动产登记资料查询",
        category="lookup_service",
        audience="both",
        service_model="single_department",
        region=CITY,
        legal_days=5,
        promised_days=1,
        online_depth="full_online",
        parts=(Part("yf-zrzy", "lead", 1, "查询登记簿，出具查询结果"),),
        materials=(
            Mat("查询申请书", copies="电子件1份（在线生成）"),
            Mat(
                "利害关系证明材料", "利害关系人查询时提交，权利人本人查询无需提交。", required=False
            ),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld("identity", "查询人类别", "choice", choices=("权利人", "利害关系人")),
            Fld("property_address", "不动产坐落", "address", required=False),
            Fld(
                "purpose",
                "查询目的",
                "choice",
                choices=("子女入学", "购房资格审核", "诉讼", "贷款", "其他"),
            ),
        ),
        legal_basis=(
            "《不动产登记暂行条例》第二十七条：权利人、利害关系人可以依法查询、复制不动产登记"
            "资料，不动产登记机构应当提供。"
        ),
        conditions="权利人查询本人名下不动产；利害关系人凭利害关系证明查询。",
        procedure="网上申请，权利人本人查询即时出具带电子签章的查询结果。",
        keywords="房产查询,有房证明,无房证明,不动产查询",
        enquiry_phone="0766-8826233",
        service_location="云浮市政务服务中心不动产登记窗口",
        result_name="不动产登记信息查询结果",
        popularity=510,
    ),
    # 联合年检: process-centred, coordinated by the 政府综合管理部门 --------------------------
    Item(
        code="445300-ZFB-QYLHNJ",
        name="企业年度报告“多报合一”联合年检",
        category="annual_inspection",
        audience="enterprise",
        service_model="process_centred",
        region=CITY,
        legal_days=20,
        promised_days=10,
        online_depth="full_online",
        parts=(Part("yf-zfb", "lead", 2, "汇总分拨年度报告，协调市场监管、人社、税务等部门"),),
        materials=(
            Mat("年度资产负债表和损益表", types=("pdf", "ofd")),
            Mat("社保信息年报", "从业人数、参保人数和缴费基数。", required=False, types=("pdf",)),
        ),
        fields=(
            F_ENTERPRISE,
            F_CREDIT,
            Fld("report_year", "报告年度", "number", validation={"min": 2000, "max": 2100}),
            Fld("employees", "从业人数", "number", validation={"min": 0}),
            Fld("status", "经营状态", "choice", choices=("开业", "歇业", "清算")),
            Fld("has_website", "是否有网站或网店", "bool"),
            F_PHONE,
            F_EMAIL,
        ),
        legal_basis=(
            "《企业信息公示暂行条例》第八条：企业应当于每年1月1日至6月30日，通过国家企业信用"
            "信息公示系统向市场监督管理部门报送上一年度年度报告，并向社会公示。\n"
            "《中华人民共和国社会保险法》第八十六条。"
        ),
        conditions="上一年度12月31日前登记成立的企业。",
        procedure="1. 一次填报年度报告；2. 市府办牵头分拨至市场监管、人社、税务等部门；"
        "3. 各部门答复意见；4. 汇总答复，完成公示。",
        keywords="年报,年检,联合年检,多报合一,企业年度报告",
        enquiry_phone="0766-8812011",
        service_location="云浮市政务服务中心企业开办专区",
        popularity=350,
    ),
    # 投诉、信访、咨询、建议、12345: process-centred, coordinating offices ---------------
    Item(
        code="445300-12345-ZWFWTS",
        name="政务服务投诉",
        category="complaint",
        audience="both",
        service_model="process_centred",
        region=CITY,
        legal_days=15,
        promised_days=10,
        online_depth="full_online",
        parts=(Part("yf-12345", "lead", 1, "受理、分拨、督办、汇总答复"),),
        materials=(
            Mat(
                "相关证据材料",
                "照片、票据、办事回执等，可不提供。",
                required=False,
                types=("pdf", "jpg", "png"),
                max_size=5 * MB,
            ),
        ),
        fields=(
            Fld("subject", "投诉事项", "text", validation={"max_length": 100}),
            Fld("complained_party", "被投诉单位或窗口", "text"),
            Fld("happened_on", "发生日期", "date", required=False),
            Fld("location", "发生地点", "address", required=False),
            Fld("content", "投诉内容", "textarea", validation={"max_length": 2000}),
            Fld("expectation", "诉求", "textarea", required=False),
            Fld(
                "contact_phone",
                "联系电话",
                "phone",
                required=False,
                help_text="匿名投诉可不填写，凭查询码查询办理进度。",
            ),
        ),
        legal_basis=(
            "《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》（国办发〔2020〕53号）。"
            "\n《优化营商环境条例》第六十二条：建立政务服务“好差评”制度。"
        ),
        conditions="对本市政务服务机构、窗口及工作人员的服务态度、办事效率、工作作风等方面的"
        "投诉；可匿名投诉。",
        procedure="1. 网上、电话或窗口提出；2. 12345热线中心受理，能当场答复的直接答复；"
        "3. 分拨至责任单位办理；4. 责任单位答复或说明理由退回；5. 热线中心审核后统一答复；"
        "6. 投诉人评价，不满意的可重办一次。",
        keywords="投诉,举报,服务态度,差评,12345",
        enquiry_phone=COMPLAINT_PHONE,
        service_location="云浮市政务服务中心咨询投诉窗口",
        service_hours="全天24小时受理",
        allows_anonymous=True,
        popularity=400,
    ),
    Item(
        code="445300-XFJ-WSXF",
        name="网上信访事项受理",
        category="petition",
        audience="both",
        service_model="process_centred",
        region=CITY,
        # 《信访工作条例》 counts 60 days (日) from acceptance; legal_days are working days,
        # so 60 calendar days are entered as 40 working days. Acceptance: 15 calendar days.
        legal_days=40,
        promised_days=30,
        online_depth="full_online",
        parts=(
            Part(
                "yf-xfj", "lead", 15, "登记、决定是否受理、转送交办、督查督办", unit="calendar_day"
            ),
        ),
        materials=(
            Mat(
                "信访相关材料",
                "与信访事项有关的证据、文书等。",
                required=False,
                types=("pdf", "jpg", "png"),
            ),
        ),
        fields=(
            F_APPLICANT,
            F_ID,
            Fld("subject", "信访事项", "text", validation={"max_length": 100}),
            Fld("kind", "信访类别", "choice", choices=("建议意见", "检举控告", "申诉求决", "其他")),
            Fld(
                "involved_region",
                "问题属地",
                "choice",
                choices=("云城区", "云安区", "罗定市", "新兴县", "郁南县", "市直"),
            ),
            Fld("content", "主要内容", "textarea", validation={"max_length": 3000}),
            F_PHONE,
            Fld("address", "通信地址", "address"),
        ),
        legal_basis=(
            "《信访工作条例》第二十二条：信访部门收到信访事项，应当予以登记，并在15日内分别按照"
            "规定方式处理；第三十五条：信访事项应当自受理之日起60日内办结。"
        ),
        conditions="信访人应当实名提出，并如实反映情况；已经或者依法应当通过诉讼、仲裁、行政"
        "复议等法定途径解决的，依照有关规定办理。",
        procedure="1. 网上提出；2. 信访部门登记，15日内决定是否受理并告知；3. 转送、交办责任"
        "单位；4. 责任单位办理并答复；5. 信访部门审核、督办；6. 出具处理意见，信访人评价。",
        keywords="信访,上访,网上信访,反映问题",
        enquiry_phone="0766-8823401",
        service_location="云浮市信访局接待大厅",
        popularity=200,
    ),
    Item(
        code="445300-12345-ZCZX",
        name="政策咨询",
        category="enquiry",
        audience="both",
        service_model="process_centred",
        region=CITY,
        legal_days=5,
        promised_days=3,
        online_depth="full_online",
        parts=(Part("yf-12345", "lead", 1, "知识库答复，需部门答复的分拨并汇总"),),
        materials=(),
        fields=(
            Fld(
                "topic",
                "咨询领域",
                "choice",
                choices=(
                    "企业开办",
                    "社会保障",
                    "医疗保障",
                    "住房公积金",
                    "户籍",
                    "出入境",
                    "税务",
                    "工程建设",
                    "其他",
                ),
            ),
            Fld("question", "咨询内容", "textarea", validation={"max_length": 1000}),
            F_PHONE,
        ),
        legal_basis="《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》"
        "（国办发〔2020〕53号）。",
        conditions="对本市政务服务事项、政策规定的咨询。",
        procedure="1. 提出咨询；2. 热线中心依据知识库直接答复；3. 需部门答复的分拨至相关部门；"
        "4. 汇总答复；5. 咨询人评价。",
        keywords="咨询,政策咨询,怎么办,问一问",
        enquiry_phone=COMPLAINT_PHONE,
        service_location="云浮市政务服务中心咨询投诉窗口",
        service_hours="全天24小时受理",
        popularity=600,
    ),
    Item(
        code="445300-12345-YJJY",
        name="意见建议征集",
        category="suggestion",
        audience="both",
        service_model="process_centred",
        region=CITY,
        legal_days=15,
        promised_days=10,
        online_depth="full_online",
        parts=(Part("yf-12345", "lead", 2, "登记、分拨、汇总答复"),),
        materials=(
            Mat(
                "附件",
                "图片或文档，可不提供。",
                required=False,
                types=("pdf", "jpg", "png"),
                max_size=5 * MB,
            ),
        ),
        fields=(
            Fld("title", "建议标题", "text", validation={"max_length": 60}),
            Fld(
                "field_of",
                "建议领域",
                "choice",
                choices=("政务服务", "城市管理", "交通出行", "教育医疗", "营商环境", "其他"),
            ),
            Fld("content", "建议内容", "textarea", validation={"max_length": 3000}),
            F_PHONE,
        ),
        legal_basis="《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》"
        "（国办发〔2020〕53号）。",
        conditions="对本市经济社会发展和政务服务工作的意见建议。",
        procedure="1. 提出建议；2. 热线中心登记并分拨至相关部门研究；3. 部门答复；"
        "4. 汇总答复建议人。",
        keywords="建议,意见,金点子,献计献策",
        enquiry_phone=COMPLAINT_PHONE,
        service_location="云浮市政务服务中心咨询投诉窗口",
        service_hours="全天24小时受理",
        popularity=120,
    ),
    Item(
        code="445300-12345-RXSQ",
        name="12345热线诉求办理",
        category="hotline",
        audience="both",
        service_model="process_centred",
        region=CITY,
        legal_days=15,
        promised_days=10,
        online_depth="full_online",
        parts=(Part("yf-12345", "lead", 1, "接听登记、即时答复或派单、督办、回访"),),
        materials=(),
        fields=(
            Fld(
                "appeal_type",
                "诉求类型",
                "choice",
                choices=("求助", "咨询", "投诉", "举报", "建议", "表扬"),
            ),
            Fld("location", "事发地点", "address", required=False),
            Fld("content", "诉求内容", "textarea", validation={"max_length": 2000}),
            Fld("caller_phone", "来电号码", "phone"),
        ),
        legal_basis="《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》"
        "（国办发〔2020〕53号）：热线受理企业和群众各类非紧急诉求，24小时全天候人工服务。",
        conditions="企业和群众的非紧急诉求（紧急事项请拨打110、119、120）。",
        procedure="1. 拨打12345或网上提交；2. 话务员登记，能即时答复的当场答复；3. 派单至承办"
        "单位；4. 承办单位办理答复或退回；5. 热线中心审核、回访；6. 诉求人评价。",
        keywords="12345,热线,市长热线,便民热线,求助",
        enquiry_phone=COMPLAINT_PHONE,
        service_location="云浮市12345政务服务便民热线中心",
        service_hours="全天24小时受理",
        popularity=820,
    ),
]

# --- Demo accounts ---------------------------------------------------------------------------
# One demo password for all: ``settings.DEMO_PASSWORD``.


@dataclass(frozen=True)
class PersonSpec:
    real_name: str
    id_first17: str
    phone: str

    @property
    def id_number(self) -> str:
        return resident_id(self.id_first17)


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


ENTERPRISES: list[EnterpriseSpec] = [
    EnterpriseSpec("云浮市石艺科技有限公司", credit_code("91", YUNCHENG, "MA4WH7K3"), "陈志强"),
]
DEMO_ENTERPRISE = ENTERPRISES[0]


def _reviewer(department: str, stage: str = "undertake") -> tuple[RoleSpec, ...]:
    return (RoleSpec(department, "reviewer", stage),)


ACCOUNTS: list[Account] = [
    # Applicants.
    Account(
        "citizen",
        "张伟",
        "个人申请人（云城区居民）",
        "以创办人身份申请“企业开办”，在“我的办件”看各部门逐一变绿；申请居住证、社保卡",
        person=PersonSpec("张伟", "44530219880512131", "13800138000"),
    ),
    Account(
        "citizen2",
        "李秀英",
        "个人申请人（罗定市居民）",
        "申请罗定市个体工商户登记、户口迁移；匿名投诉",
        person=PersonSpec("李秀英", "44538119920308246", "13800138001"),
    ),
    Account(
        "enterprise",
        "陈志强",
        "企业经办人：云浮市石艺科技有限公司（法定代表人）",
        "代表企业申请“食品经营许可”、排污许可，添加第二名经办人",
        person=PersonSpec("陈志强", "44538119850316271", "13800138002"),
        handler_of=DEMO_ENTERPRISE.credit_code,
    ),
    # The city's service centre.
    Account(
        "clerk",
        "黄丽娟",
        "窗口受理员：市政务服务中心01号综合窗口",
        "窗口代录办件、容缺受理、出件",
        roles=(RoleSpec("yf-zwfw", "clerk"),),
    ),
    Account(
        "hotline",
        "梁晓燕",
        "12345热线话务员（登记、分拨）",
        "登记来电诉求，分拨给部门，审核答复",
        roles=(RoleSpec("yf-12345", "clerk"), RoleSpec("yf-12345", "reviewer", "undertake")),
    ),
    # 市场监管: the lead of 企业开办 and 食品经营许可 (three stages for the licence).
    Account(
        "scjg_undertake",
        "周敏",
        "市市场监管局 审查员·承办",
        "受理“企业开办”，承办食品经营许可",
        roles=_reviewer("yf-scjg", "undertake"),
    ),
    Account(
        "scjg_check",
        "吴俊",
        "市市场监管局 审查员·审核",
        "审核食品经营许可",
        roles=_reviewer("yf-scjg", "check"),
    ),
    Account(
        "scjg_sign",
        "郑国华",
        "市市场监管局 审查员·签发",
        "签发食品经营许可",
        roles=_reviewer("yf-scjg", "sign"),
    ),
    # The five participating departments of 企业开办.
    Account(
        "gaj_reviewer",
        "刘建军",
        "市公安局 审查员（印章刻制、户政、居住证）",
        "并联办理企业开办的公章刻制备案",
        roles=_reviewer("yf-gaj"),
    ),
    Account(
        "sw_reviewer",
        "陈静",
        "市税务局 审查员",
        "并联办理新办纳税人套餐；不动产过户核税",
        roles=_reviewer("yf-sw"),
    ),
    Account(
        "rsj_reviewer",
        "杨帆",
        "市人社局 审查员",
        "并联办理单位社保登记；护照征求意见",
        roles=_reviewer("yf-rsj"),
    ),
    Account(
        "ybj_reviewer", "何丽", "市医保局 审查员", "并联办理单位医保登记", roles=_reviewer("yf-ybj")
    ),
    Account(
        "gjj_reviewer",
        "林志明",
        "市公积金中心 审查员",
        "并联办理公积金缴存登记（逾期视为同意）",
        roles=_reviewer("yf-gjj"),
    ),
    # 建设工程施工许可: lead 住建 and 自然资源 with three stages; 消防 and 生态环境.
    Account(
        "zjj_undertake",
        "罗海涛",
        "市住建局 审查员·承办",
        "承办建筑工程施工许可",
        roles=_reviewer("yf-zjj", "undertake"),
    ),
    Account(
        "zjj_check",
        "邓伟强",
        "市住建局 审查员·审核",
        "审核建筑工程施工许可",
        roles=_reviewer("yf-zjj", "check"),
    ),
    Account(
        "zjj_sign",
        "梁振华",
        "市住建局 审查员·签发",
        "签发建筑工程施工许可",
        roles=_reviewer("yf-zjj", "sign"),
    ),
    Account(
        "zrzy_undertake",
        "谢婷",
        "市自然资源局 审查员·承办",
        "承办规划许可核验；不动产登记",
        roles=_reviewer("yf-zrzy", "undertake"),
    ),
    Account(
        "zrzy_check",
        "冯刚",
        "市自然资源局 审查员·审核",
        "审核规划许可核验",
        roles=_reviewer("yf-zrzy", "check"),
    ),
    Account(
        "zrzy_sign",
        "曾德明",
        "市自然资源局 审查员·签发",
        "签发规划许可核验意见",
        roles=_reviewer("yf-zrzy", "sign"),
    ),
    Account(
        "xfzd_reviewer",
        "彭勇",
        "市消防救援支队 审查员",
        "出具施工许可消防意见；医疗机构征求意见",
        roles=_reviewer("yf-xfzd"),
    ),
    Account(
        "sthj_reviewer",
        "苏敏",
        "市生态环境局 审查员",
        "环评手续核验；排污许可",
        roles=_reviewer("yf-sthj"),
    ),
    # Other departments.
    Account(
        "crj_reviewer",
        "黎嘉欣",
        "市公安局出入境管理支队 审查员（核心部门）",
        "受理普通护照，依次征求意见后签发",
        roles=_reviewer("yf-gaj-crj"),
    ),
    Account(
        "za_reviewer",
        "蔡志伟",
        "市公安局治安管理支队 审查员",
        "护照申请的户籍核查意见",
        roles=_reviewer("yf-gaj-za"),
    ),
    Account(
        "wsj_reviewer",
        "潘晓玲",
        "市卫健局 审查员",
        "医疗机构执业登记、公共场所卫生许可",
        roles=_reviewer("yf-wsj"),
    ),
    Account(
        "jtj_reviewer",
        "钟国强",
        "市交通运输局 审查员",
        "道路旅客运输经营许可",
        roles=_reviewer("yf-jtj"),
    ),
    Account("jyj_reviewer", "叶美华", "市教育局 审查员", "教师资格认定", roles=_reviewer("yf-jyj")),
    Account(
        "xfj_reviewer",
        "麦振东",
        "市信访局 办理员",
        "信访事项登记、交办、审核答复",
        roles=_reviewer("yf-xfj"),
    ),
    Account(
        "zfb_reviewer",
        "容文杰",
        "市府办 协调员（联合年检）",
        "分拨并汇总企业联合年检",
        roles=_reviewer("yf-zfb"),
    ),
    # Heads, supervisors, administrator.
    Account(
        "head_scjg",
        "欧阳明",
        "市市场监管局 负责人",
        "看黄牌红牌、改派任务、接收督办",
        roles=(RoleSpec("yf-scjg", "head"),),
    ),
    Account(
        "head_zjj",
        "赖志坚",
        "市住建局 负责人",
        "审批延期、改派任务",
        roles=(RoleSpec("yf-zjj", "head"),),
    ),
    Account(
        "head_gaj",
        "温建华",
        "市公安局 负责人",
        "看本局任务时限",
        roles=(RoleSpec("yf-gaj", "head"),),
    ),
    Account(
        "head_sw",
        "简伟明",
        "市税务局 负责人",
        "接收企业开办税务任务的超时督办",
        roles=(RoleSpec("yf-sw", "head"),),
    ),
    Account(
        "head_rsj",
        "郭丽华",
        "市人社局 负责人",
        "接收企业开办社保登记任务的超时督办",
        roles=(RoleSpec("yf-rsj", "head"),),
    ),
    Account(
        "head_ybj",
        "戴志强",
        "市医保局 负责人",
        "接收企业开办医保登记任务的超时督办",
        roles=(RoleSpec("yf-ybj", "head"),),
    ),
    Account(
        "head_gjj",
        "邝敏仪",
        "市公积金中心 负责人",
        "看公积金登记任务逾期视为同意",
        roles=(RoleSpec("yf-gjj", "head"),),
    ),
    Account(
        "head_12345",
        "陆秀梅",
        "12345热线中心 负责人",
        "督办超时工单",
        roles=(RoleSpec("yf-12345", "head"),),
    ),
    Account(
        "supervisor",
        "严正",
        "效能监察员（全市）",
        "电子监察看板：全市各部门时限与红黄牌",
        roles=(RoleSpec("yf-zwfw", "supervisor", region=CITY),),
    ),
    Account(
        "admin",
        "系统管理员",
        "事项管理员（Django 管理后台超级用户）",
        "在 /admin/ 配置部门、岗位、窗口和事项，发布事项版本",
        roles=(RoleSpec("yf-zwfw", "admin"),),
        superuser=True,
    ),
    # 罗定市.
    Account(
        "ld_clerk",
        "陈小燕",
        "窗口受理员：罗定市政务服务中心01号综合窗口",
        "罗定市窗口受理",
        roles=(RoleSpec("ld-zwfw", "clerk"),),
    ),
    Account(
        "ld_scjg",
        "谭志红",
        "罗定市市场监管局 审查员",
        "受理罗定市企业开办、食品经营许可、个体户登记",
        roles=_reviewer("ld-scjg"),
    ),
    Account(
        "ld_gaj",
        "黄俊杰",
        "罗定市公安局 审查员",
        "罗定市企业开办公章刻制备案",
        roles=_reviewer("ld-gaj"),
    ),
    Account(
        "ld_sw", "李嘉明", "罗定市税务局 审查员", "罗定市企业开办税务事项", roles=_reviewer("ld-sw")
    ),
    Account(
        "ld_rsj", "张慧", "罗定市人社局 审查员", "罗定市企业开办社保登记", roles=_reviewer("ld-rsj")
    ),
    Account(
        "ld_ybj",
        "梁美玲",
        "罗定市医保局 审查员",
        "罗定市企业开办医保登记",
        roles=_reviewer("ld-ybj"),
    ),
    Account(
        "ld_gjj",
        "吴志坚",
        "公积金罗定管理部 审查员",
        "罗定市企业开办公积金登记",
        roles=_reviewer("ld-gjj"),
    ),
    Account(
        "ld_head_scjg",
        "邱建国",
        "罗定市市场监管局 负责人",
        "罗定市市场监管任务督办",
        roles=(RoleSpec("ld-scjg", "head"),),
    ),
    Account(
        "supervisor_ld",
        "罗清",
        "效能监察员（罗定市）",
        "只看到罗定市的办件和时限",
        roles=(RoleSpec("ld-zwfw", "supervisor", region=LUODING),),
    ),
    # 新兴县.
    Account(
        "xx_scjg",
        "伍志诚",
        "新兴县市场监管局 审查员",
        "新兴县个体工商户登记",
        roles=_reviewer("xx-scjg"),
    ),
    Account(
        "xx_gaj", "冼丽萍", "新兴县公安局 审查员", "新兴县居住证签发", roles=_reviewer("xx-gaj")
    ),
]
