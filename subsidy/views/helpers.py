"""What every template may call: labels, money, clause numbers, punctuation and times in the page's language.

Templates only present stored results; these helpers format, they never decide.
"""

import datetime

from ..i18n import page_language
from ..labels import field_label, heading_label, value_label
from ..money import format_wan, format_yuan, to_capital
from ..numerals import to_int
from ..paths import describe
from ..schemas import ENTITY_TYPES, TALENT_TEAMS
from ..urls import public_url
from .charts import rate_chart
from .form_layout import SECTIONS, example_for, kind_of

CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")

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
           "user_create": ("创建账户", "created an account"), "password_change": ("修改密码", "changed the password"),
           "user_disable": ("停用账户", "disabled the account"), "user_enable": ("启用账户", "enabled the account"),
           "issue_document": ("签发 PDF 文件", "issued a signed PDF"),
           "notify_submitted": ("发送提交通知邮件", "emailed the firm that the filing was submitted"),
           "notify_decided": ("发送审核决定通知邮件", "emailed the firm the decision")}
ACTORS = {"firm": ("企业（网页）", "firm (web)"), "api": ("企业（API）", "firm (API)"), "cli": ("命令行", "command line"),
          "system": ("系统", "system")}
FLASH = {"not_submitted": ("该测算尚未提交。", "This assessment has not been submitted."),
         "decided": ("已作出最终决定，不能再修改。", "A final decision was made; it can no longer change."),
         "policy_version": ("政策版本已变更，无法按原版本重新计算。", "The policy version changed; it cannot be recomputed."),
         "not_reviewable": ("当前状态下不能作出决定。", "No decision can be made in this state."),
         "final_decision": ("请选择最终决定。", "Choose the final decision."),
         "no_review": ("请先核实并重新计算，再作出决定。", "Verify and recompute before deciding.")}


# Why a decision was refused (review.decision_problems), said to the officer.
PROBLEMS = {
    "note_too_long": ("说明过长：每条最多 500 字，最终决定说明最多 2000 字。未保存。",
                      "A note is too long: at most 500 characters each, 2,000 for the final note. Nothing was saved."),
    "pending_fact": ("{clause}：自行申报的“{fact}”仍为待确认。请先确认或不予确认，保存并重新计算后再作决定。",
                     "{clause}: the self-declared fact “{fact}” is still pending. Confirm it or refuse it, save and recompute, then decide."),
    "approve_not_eligible": ("{clause}：核实后的结果为“{status}”，不能同意。请选择“不同意”，或先更正核实值。",
                             "{clause}: the verified result is “{status}”, which cannot be approved. Choose “reject”, or correct the verified values first."),
    "approve_without_evidence": ("{clause}：尚未勾选“已核对证据”，不能同意。请核对证据、勾选并保存后再作决定。",
                                 "{clause}: its evidence is not ticked as checked, so it cannot be approved. Check the evidence, tick it and save first."),
    "final_missing": ("请选择最终决定。", "Choose the final decision."),
    "final_disagrees": ("最终决定“{final}”与各条款的决定不一致（同意 {approved} 条，不同意 {rejected} 条），应为“{expected}”。"
                        "批准：作出决定的条款全部同意；部分批准：有同意也有不同意；不予批准：没有同意的条款。",
                        "The final decision “{final}” does not agree with the clause decisions ({approved} approved, {rejected} "
                        "rejected): it should be “{expected}”. Approved: every decided clause approved; partly approved: some "
                        "approved and some rejected; rejected: none approved."),
}


def problem_text(problem: dict, clauses: dict, names: dict) -> str:
    """Return why a decision was refused, in the page's language; clauses maps clause id → claimed clause."""
    lang = page_language()
    params = dict(problem)
    clause = clauses.get(problem.get("clause"))
    if clause:
        params["clause"] = f"{clause_label(clause['citation']['clause'])} {clause['title']}"
    if "path" in problem:
        params["fact"] = describe(problem["path"], names, lang)
    if "status" in problem:
        from ..messages import text
        params["status"] = text(f"status_{problem['status']}", lang)
    for key in ("final", "expected"):
        if key in problem:
            params[key] = _pick(STATUSES[problem[key]])
    return _pick(PROBLEMS[problem["code"]]).format(**params)


def _pick(pair):
    return pair[1] if page_language() == "en" else pair[0]


def clause_label(numeral: str) -> str:
    """第一条 in Chinese, Clause 1 in English (一 reads as a dash to an English reader)."""
    if page_language() != "en":
        return f"第{numeral}条"
    return f"Clause {to_int(numeral)}"


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
    if len(parts) == 3 and parts[1].isascii() and parts[1].isdigit():
        rows = profile.get(parts[0]) or []
        index = int(parts[1])
        name = rows[index].get("name", "") if index < len(rows) else ""
        return f"{name} · {label}"
    return heading_label(path, lang)


def choices_for(path: str, lang: str):
    codes = {"company.entity_type": ENTITY_TYPES, "talent_team": TALENT_TEAMS}.get(path)
    return [(code, value_label(code, lang)) for code in codes] if codes else None


def pdf_response(issued: dict, name: str):
    """Serve an issued document's stored bytes, named by its SHA-256 so a client can check what it got."""
    from flask import Response

    return Response(issued["pdf"], mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "ETag": f'"{issued["sha256"]}"',
        "X-Content-SHA256": issued["sha256"]})


def error_label(path: str, lang: str) -> str:
    """Label the field an error is about; a name that is no field of the form is shown as sent, to be found."""
    from ..flat import bad_columns

    if path.startswith("_") or not bad_columns([path]):
        return heading_label(path, lang)
    return f"“{path}”"


def register(app):
    app.jinja_env.globals.update(
        status_label=lambda status: _pick(STATUSES.get(status, (status, status))),
        action_label=lambda action: _pick(ACTIONS.get(action, (action, action))),
        actor_label=lambda actor: _pick(ACTORS.get(actor, (actor, actor))),
        flash_text=lambda code: _pick(FLASH.get(code, (code, code))),
        clause_label=clause_label, colon=colon, paren=paren, local_time=local_time, shown_value=shown_value,
        verify_rows=verify_rows, field_context=field_context, problem_text=problem_text, describe=describe, choices_for=choices_for, error_label=error_label, example_for=example_for,
        field_label=field_label, heading_label=heading_label, value_label=value_label,
        pick2=lambda pair, lang: pair[1] if lang == "en" else pair[0],
        yuan=format_yuan, wan=format_wan, capital=to_capital, rate_chart=rate_chart, public_url=public_url,
    )
