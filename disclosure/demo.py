"""seed_demo's disclosure step: an editor and a reviewer, categories, a few notices, a policy
with its interpretation, all published through the review rule (the editor writes and submits,
the reviewer publishes). Idempotent: an article whose title exists is kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from disclosure import services
from disclosure.models import Article, Category, Kind

EDITORS, REVIEWERS = "政务公开编辑", "政务公开审核"
ACCOUNTS = (("gk_editor", "政务公开 编辑", EDITORS), ("gk_reviewer", "政务公开 审核", REVIEWERS))
CATEGORIES = (
    (Kind.NOTICE, "work-news", "工作动态"),
    (Kind.NOTICE, "service-notices", "服务公告"),
    (Kind.POLICY, "normative", "规范性文件"),
    (Kind.POLICY, "other-policies", "其他文件"),
    (Kind.INTERPRETATION, "text-interpretation", "文字解读"),
)
ISSUER = "云浮市政务服务和数据管理局"
POLICY_TITLE = "云浮市推进政务服务“一站式”办理实施方案"
ARTICLES = (
    dict(
        kind=Kind.NOTICE,
        category="service-notices",
        title="关于市政务服务中心2027年元旦假期窗口服务安排的通告",
        summary="元旦假期期间（1月1日），市政务服务中心窗口暂停服务，网上办事大厅照常受理。",
        body="一、2027年1月1日市政务服务中心各窗口暂停对外服务，1月2日起恢复正常。\n"
        "二、假期期间可通过云浮市一站式政务服务平台网上申请，材料齐全的于上班后依次受理。\n"
        "三、咨询电话：12345。",
        issuer=ISSUER,
    ),
    dict(
        kind=Kind.NOTICE,
        category="work-news",
        title="市政务服务中心企业开办“一窗通办”全面上线",
        summary="企业开办涉及的营业执照、公章刻制、税务、社保、医保和公积金登记实现一窗受理、并联办理。",
        body="自即日起，申请人在市政务服务中心综合窗口或网上一次提交材料，\n"
        "市场监管、公安、税务、人社、医保、公积金六个部门同时审查，办结后一次领取全部结果。",
        issuer=ISSUER,
    ),
    dict(
        kind=Kind.NOTICE,
        category="service-notices",
        title="关于开展政务服务“好差评”满意度回访的公告",
        summary="市政务服务中心将对差评办件开展电话回访，请申请人留意来电。",
        body="回访电话以 0766 开头，工作人员不会索要验证码或银行卡信息。",
        issuer=ISSUER,
    ),
    dict(
        kind=Kind.POLICY,
        category="normative",
        title=POLICY_TITLE,
        document_number="云府办〔2026〕12号",
        summary="明确网上并联许可、核心部门和以流程为中心三种办理模式，以及部门职责和时限要求。",
        body="第一条 为推进政务服务“一站式”办理，制定本方案。\n"
        "第二条 跨部门事项实行网上并联许可，牵头部门受理后同步推送协办部门。\n"
        "第三条 各部门在承诺时限内办结，逾期未反馈的按事项规定视为同意或督办。",
        issuer="云浮市人民政府办公室",
    ),
)
INTERPRETATION = dict(
    kind=Kind.INTERPRETATION,
    category="text-interpretation",
    title="《云浮市推进政务服务“一站式”办理实施方案》解读",
    summary="一图读懂三种办理模式：谁受理、谁审查、多久办结。",
    body="一、为什么制定：企业和群众办一件事要跑多个部门、多次提交材料。\n"
    "二、主要内容：一窗受理、并联审查、限时办结、统一出件。\n"
    "三、怎么办：登录平台或到综合窗口提交一次材料即可。",
    issuer=ISSUER,
)


@dataclass
class Result:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _accounts():
    User = get_user_model()
    perms = {
        EDITORS: ["add_article", "change_article", "view_article", "view_category"],
        REVIEWERS: ["review_article", "view_article", "view_category"],
    }
    users = {}
    for username, name, group_name in ACCOUNTS:
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="disclosure", codename__in=perms[group_name]
            )
        )
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": name, "is_staff": True}
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        user.groups.add(group)
        users[group_name] = User.objects.get(pk=user.pk)  # fresh permission cache
    return users[EDITORS], users[REVIEWERS]


def _publish(spec: dict, editor, reviewer, result: Result, **extra) -> Article:
    existing = Article.objects.filter(title=spec["title"]).first()
    if existing:
        result.kept.append(spec["title"])
        return existing
    fields = {k: v for k, v in spec.items() if k not in ("kind", "title", "category")}
    category = Category.objects.get(code=spec["category"])
    article = services.article_create(
        actor=editor, kind=spec["kind"], title=spec["title"], category=category, **fields, **extra
    )
    services.article_submit(article=article, actor=editor)
    services.article_publish(article=article, actor=reviewer)
    result.created.append(spec["title"])
    return article


def seed_disclosure() -> Result:
    """Two queries when everything is there already (seed_demo's re-run budget): the articles
    by title and the two accounts."""
    result = Result()
    titles = [spec["title"] for spec in (*ARTICLES, INTERPRETATION)]
    present = set(Article.objects.filter(title__in=titles).values_list("title", flat=True))
    accounts = get_user_model().objects.filter(username__in=[a[0] for a in ACCOUNTS]).count()
    if present == set(titles) and accounts == len(ACCOUNTS):
        result.kept.extend(titles)
        return result
    for position, (kind, code, name) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code, defaults={"kind": kind, "name": name, "position": position}
        )
    editor, reviewer = _accounts()
    for spec in ARTICLES:
        _publish(spec, editor, reviewer, result)
    policy = Article.objects.get(title=POLICY_TITLE)
    _publish(INTERPRETATION, editor, reviewer, result, policy=policy)
    return result
