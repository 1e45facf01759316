"""Email to the firm when it submits and when an officer decides, if the service has an SMTP server configured.

Without MAIL_SMTP_HOST nothing is sent and nothing fails. A mail server that is down or refuses the message is
logged and recorded in the audit log; the firm's submission or the officer's decision stands either way. The
firm gives its address when it submits (optional); the mail carries the unguessable link of its page.
"""

import re
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app

from .assessments import audit, now
from .money import format_yuan
from .urls import public_url

ADDRESS = re.compile(r"^[^@\s\x00-\x1f\x7f<>,;:\"'()\[\]\\]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}$")
MAX_ADDRESS = 254

WORDS = {
    "zh": {
        "submitted_subject": "已收到您的补助申报 {reference}",
        "submitted_body": "{company}：\n\n您的补助申报（编号 {reference}，第 {revision} 版）已提交审核，"
                          "提交时间 {at}。\n"
                          "测算确定金额 {exact}，最高金额 {up_to}。审核期间不能修改。\n\n查看进度：{link}\n",
        "decided_subject": "您的补助申报 {reference} 已有审核决定：{final}",
        "decided_body": "{company}：\n\n您的补助申报（编号 {reference}）审核决定：{final}。\n"
                        "同意的确定金额 {exact}，同意的最高金额 {up_to}。\n{note}\n"
                        "查看各条款的决定与说明、下载审核决定 PDF：{link}\n",
        "note": "说明：{note}\n",
        "sign": "\n——杭州人工智能试验区政策补助测算（本邮件由系统发送，请勿直接回复）\n",
    },
    "en": {
        "submitted_subject": "Your subsidy filing {reference} was received",
        "submitted_body": "{company}:\n\nYour subsidy filing (reference {reference}, revision {revision}) was "
                          "submitted for review at {at}.\nExact amounts {exact}; “up to” amounts {up_to}. It cannot "
                          "be edited during review.\n\nFollow its progress: {link}\n",
        "decided_subject": "A decision on your subsidy filing {reference}: {final}",
        "decided_body": "{company}:\n\nThe decision on your subsidy filing (reference {reference}): {final}.\n"
                        "Exact amounts approved {exact}; “up to” amounts approved {up_to}.\n{note}\n"
                        "Each clause's decision and note, and the decision PDF: {link}\n",
        "note": "Note: {note}\n",
        "sign": "\n— Hangzhou AI pilot-zone subsidy calculator (sent automatically; please do not reply)\n",
    },
}


def valid_address(address: str) -> bool:
    return len(address) <= MAX_ADDRESS and bool(ADDRESS.match(address))


def remember(db, assessment: dict, address: str, lang: str):
    """Keep the address a firm gave when it submitted (the latest one given wins)."""
    db.table("contacts").upsert({"assessment_id": assessment["id"], "email": address, "lang": lang,
                                 "created_at": now()}, pk="assessment_id")


def _contact(db, assessment_id: int) -> dict | None:
    rows = list(db.table("contacts").rows_where("assessment_id = ?", [assessment_id], limit=1))
    return rows[0] if rows else None


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SMTP_HOST"))


def submitted(db, saved: dict):
    """Tell the firm its filing was received, if it gave an address and mail is configured."""
    contact = _contact(db, saved["id"])
    if not contact or not configured():
        return
    words = WORDS[contact["lang"]]
    result = saved["result"][contact["lang"]]
    fields = dict(company=saved["profile"]["company"]["name"], reference=saved["reference"],
                  revision=saved["revision"], at=now()[:16].replace("T", " "),
                  exact=format_yuan(result["total_exact_fen"]), up_to=format_yuan(result["total_up_to_fen"]),
                  link=public_url("firm.result_page", token=saved["token"]))
    _send(db, saved, contact, "submitted", words["submitted_subject"].format(**fields),
          words["submitted_body"].format(**fields) + words["sign"])


def decided(db, saved: dict):
    """Tell the firm the decision, in the language it submitted in."""
    from .filing import decision as firm_decision

    contact = _contact(db, saved["id"])
    if not contact or not configured():
        return
    decision = firm_decision(db, saved, contact["lang"])
    if decision is None:
        return
    words = WORDS[contact["lang"]]
    note = words["note"].format(note=decision["note"]) if decision["note"] else ""
    fields = dict(company=saved["profile"]["company"]["name"], reference=saved["reference"],
                  final=decision["final_text"], exact=format_yuan(decision["approved_exact_fen"]),
                  up_to=format_yuan(decision["approved_up_to_fen"]), note=note,
                  link=public_url("firm.result_page", token=saved["token"]))
    _send(db, saved, contact, "decided", words["decided_subject"].format(**fields),
          words["decided_body"].format(**fields) + words["sign"])


def _send(db, saved: dict, contact: dict, event: str, subject: str, body: str):
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((config.get("MAIL_FROM_NAME", ""), config.get("MAIL_FROM", "noreply@localhost")))
    message["To"] = contact["email"]
    message["Message-ID"] = make_msgid(domain="subsidy.local")
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SMTP_HOST"], int(config.get("MAIL_SMTP_PORT", 25)),
                          timeout=float(config.get("MAIL_TIMEOUT", 10))) as smtp:
            if config.get("MAIL_SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_SMTP_USER"):
                smtp.login(config["MAIL_SMTP_USER"], config.get("MAIL_SMTP_PASSWORD", ""))
            smtp.send_message(message)
        sent, problem = True, None
    except (OSError, smtplib.SMTPException) as error:  # the mail server's trouble must not undo the filing
        current_app.logger.warning("mail to the firm of %s (%s) failed: %s", saved["reference"], event, error)
        sent, problem = False, type(error).__name__
    audit(db, "system", f"notify_{event}", saved, after={"sent": sent, "problem": problem})
