"""What every template may call: labels, money, clause numbers, punctuation and times in the page's language.

Templates only present stored results; these helpers format, they never decide.
"""

import datetime

from ..i18n import page_language
from ..labels import field_label, heading_label, value_label
from ..money import format_wan, format_yuan, to_capital
from ..schemas import ENTITY_TYPES, TALENT_TEAMS
from ..urls import public_url
from .charts import rate_chart
from .form_layout import SECTIONS, kind_of

CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")
NUMERALS = "一二三四五六七八九"

STATUSES = {"draft": ("草稿", "draft"), "submitted": ("已提交", "submitted"),
            "under_review": ("审核中", "under review"), "approved": ("已批准", "approved"),
            "partly_approved": ("部分批准", "partly approved"), "rejected": ("未批准", "rejected")}
ACTIONS = {"create": ("创建测算", "created"), "edit": ("修改（新版本）", "edited (new revision)"),
           "submit": ("提交审核", "submitted"), "review_update": ("核实并重新计算", "verified and recomputed"),
           "decide": ("作出决定", "decided"), "login": ("登录", "logged in"), "logout": ("退出", "logged out"),
           "login_failed": ("登录失败", "failed login"), "verify": ("核验", "verified a code"),
           "export_audit": ("导出审计日志", "exported the audit log"),
           "export_audit_all": ("导出全部审计日志", "exported the whole audit log"),
           "export_decision_pdf": ("下载决定 PDF", "downloaded the decision PDF"),
           "batch_upload": ("上传批量筛查", "uploaded a batch"), "batch_export": ("下载筛查结果", "downloaded batch results"),
           "registry_screen": ("开始登记库筛查", "started a registry screening"),
           "registry_simulate": ("开始政策调整模拟", "started a policy simulation"),
           "registry_export": ("下载登记库结果", "downloaded registry results"),
           "user_create": ("创建账户", "created an account")}
ACTORS = {"firm": ("企业（网页）", "firm (web)"), "api": ("企业（API）", "firm (API)"), "cli": ("命令行", "command line")}
FLASH = {"not_submitted": ("该测算尚未提交。", "This assessment has not been submitted."),
         "decided": ("已作出最终决定，不能再修改。", "A final decision was made; it can no longer change."),
         "policy_version": ("政策版本已变更，无法按原版本重新计算。", "The policy version changed; it cannot be recomputed."),
         "not_reviewable": ("当前状态下不能作出决定。", "No decision can be made in this state."),
         "final_decision": ("请选择最终决定。", "Choose the final decision."),
         "no_review": ("请先核实并重新计算，再作出决定。", "Verify and recompute before deciding.")}


def _pick(pair):
    return pair[1] if page_language() == "en" else pair[0]


def clause_label(numeral: str) -> str:
    """第一条 in Chinese, Clause 1 in English (一 reads as a dash to an English reader)."""
    if page_language() != "en":
        return f"第{numeral}条"
    value = 0
    for ch in numeral:
        value = value * 10 if ch == "十" and value else (10 if ch == "十" else value + NUMERALS.index(ch) + 1)
    return f"Clause {value}"


def colon() -> str:
    return ": " if page_language() == "en" else "："


def paren(text) -> str:
    return f" ({text})" if page_language() == "en" else f"（{text}）"


def local_time(iso: str | None) -> str:
    """Show a stored time in China Standard Time, the zone of the policy's users: 2026-11-22 09:19 (UTC+8)."""
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso).astimezone(CHINA)
    return f"{moment:%Y-%m-%d %H:%M} (UTC+8)"


def shown_value(path: str, value: str) -> str:
    """Show a stored profile value as words: true → 是, enterprise → 企业, 10000000.00 → ¥10,000,000.00."""
    kind = kind_of(path)
    if kind == "flag":
        return _pick(("是", "yes")) if value == "true" else _pick(("否", "no"))
    if kind == "choice":
        return value_label(value, page_language())
    if kind == "money":
        whole, _, cents = value.partition(".")
        return format_yuan(int(whole) * 100 + int((cents + "00")[:2]))
    return value


def verify_rows(claimed_flat: dict, skip: set) -> list[tuple[str, str]]:
    """Return the claimed values an officer may verify, in the order of the firm's form."""
    order = []
    for section in SECTIONS:
        order += list(section.fields)
        for group in section.groups:
            index = 0
            while any(key.startswith(f"{group.section}.{index}.") for key in claimed_flat):
                order += [f"{group.section}.{index}.{leaf}" for leaf in group.fields]
                index += 1
    return [(path, claimed_flat[path]) for path in order
            if path in claimed_flat and path not in skip and not path.endswith(".name")
            and path not in ("company.name", "company.credit_code")]


def field_context(path: str, profile: dict, lang: str) -> str:
    """Label a field with the item it belongs to: "视觉芯片 · R&D investment"."""
    parts = path.split(".")
    label = field_label(path, lang)
    if len(parts) == 3 and parts[1].isdigit():
        rows = profile.get(parts[0]) or []
        index = int(parts[1])
        name = rows[index].get("name", "") if index < len(rows) else ""
        return f"{name} · {label}"
    return heading_label(path, lang)


def choices_for(path: str, lang: str):
    codes = {"company.entity_type": ENTITY_TYPES, "talent_team": TALENT_TEAMS}.get(path)
    return [(code, value_label(code, lang)) for code in codes] if codes else None


def register(app):
    app.jinja_env.globals.update(
        status_label=lambda status: _pick(STATUSES.get(status, (status, status))),
        action_label=lambda action: _pick(ACTIONS.get(action, (action, action))),
        actor_label=lambda actor: _pick(ACTORS.get(actor, (actor, actor))),
        flash_text=lambda code: _pick(FLASH.get(code, (code, code))),
        clause_label=clause_label, colon=colon, paren=paren, local_time=local_time, shown_value=shown_value,
        verify_rows=verify_rows, field_context=field_context, choices_for=choices_for,
        field_label=field_label, heading_label=heading_label, value_label=value_label,
        pick2=lambda pair, lang: pair[1] if lang == "en" else pair[0],
        yuan=format_yuan, wan=format_wan, capital=to_capital, rate_chart=rate_chart, public_url=public_url,
    )
