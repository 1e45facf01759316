"""Render the subsidy estimate (申报测算单) a firm attaches to its filing: Jinja → WeasyPrint.

The PDF only presents an evaluation result; it computes nothing. It renders outside any Flask app context
(command line, benchmarks), so its template environment and its fixed words live here.
"""

import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
import segno
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .labels import field_label, value_label
from .messages import normalise_language, text
from .money import format_yuan, to_capital

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "pdf"

# Autoescape everything: company, project and platform names are user text and reach the PDF verbatim.
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

LABELS = {
    "zh": {
        "title": "申报测算单",
        "company": "企业名称",
        "credit_code": "统一社会信用代码",
        "entity_type": "主体类型",
        "date": "测算日期",
        "reference": "测算编号",
        "revision": "版本",
        "revision_value": "第 {n} 版",
        "policy": "适用政策",
        "policy_id": "政策编号及版本",
        "notice": "本测算单仅为自评估算，不构成补助决定。",
        "notice_detail": "测算依据申报单位自行填报的信息，补助金额以主管部门审核结果为准；"
                         "标“最高”的金额为政策规定的上限，实际金额以评审为准。",
        "clauses": "分条测算",
        "col_clause": "条款",
        "col_title": "支持事项",
        "col_status": "状态",
        "col_formula": "计算",
        "col_amount": "金额",
        "up_to": "最高",
        "capped": "已封顶",
        "missing": "缺少：",
        "list_separator": "、",
        "totals": "合计",
        "total_exact": "确定金额合计",
        "total_up_to": "最高金额合计",
        "total": "两项相加（最多可获）",
        "in_figures": "小写",
        "in_capital": "大写",
        "hints": "可能改变结果的因素",
        "readings": "采用的解读（不是政策原文）",
        "policy_readings": "整个政策",
        "confirmation": "需经办人员核实确认的事项",
        "referrals": "亦可按其他政策申请",
        "none": "无",
        "verify": "核验",
        "verify_text": "扫描二维码或访问下列网址，核对本测算单的内容与版本。",
        "code": "核验码",
        "signed_note": "本文件带有数字签名；签名有效即表明文件自签发后未被改动。",
        "appendix": "附录：所引政策条文",
        "clause_ref": "第{n}条",
        "declaration": "承诺",
        "declaration_text": "本单位承诺：本测算单所依据的信息和数据真实、准确、完整，"
                            "如有不实，愿承担由此产生的全部责任。",
        "seal": "单位盖章",
        "signature": "法定代表人（签字）",
        "signed_on": "日期",
        "date_blank": "　　　　年　　月　　日",
    },
    "en": {
        "title": "Subsidy estimate",
        "company": "Company",
        "credit_code": "Unified social credit code",
        "entity_type": "Type of applicant",
        "date": "Date",
        "reference": "Reference",
        "revision": "Revision",
        "revision_value": "{n}",
        "policy": "Policy",
        "policy_id": "Policy id and version",
        "notice": "This is a self-assessed estimate, not a decision to grant a subsidy.",
        "notice_detail": "It rests on the facts the applicant declared; the competent department decides the amount. "
                         "Amounts marked “up to” are ceilings set by the policy; the actual amount is set on review.",
        "clauses": "Clause by clause",
        "col_clause": "No.",
        "col_title": "Support",
        "col_status": "Status",
        "col_formula": "Calculation",
        "col_amount": "Amount",
        "up_to": "up to",
        "capped": "capped",
        "missing": "Missing: ",
        "list_separator": "; ",
        "totals": "Totals",
        "total_exact": "Exact amounts",
        "total_up_to": "“Up to” amounts",
        "total": "Both added (at most)",
        "in_figures": "In figures",
        "in_capital": "In capitals (大写)",
        "hints": "What would change the result",
        "readings": "Readings taken (not the policy's words)",
        "policy_readings": "The policy as a whole",
        "confirmation": "To be confirmed by an officer",
        "referrals": "May also be supported under other policies",
        "none": "None.",
        "verify": "Verification",
        "verify_text": "Scan the code or open the address below to check this estimate and its revision.",
        "code": "Verification code",
        "signed_note": "This file carries a digital signature; a valid signature shows it is unchanged since issued.",
        "appendix": "Appendix: the policy text quoted",
        "clause_ref": "Art. {n}",
        "declaration": "Declaration",
        "declaration_text": "We declare that the facts and figures this estimate rests on are true, accurate and "
                            "complete, and we accept full responsibility for any that are not.",
        "seal": "Company seal",
        "signature": "Signature of the legal representative",
        "signed_on": "Date",
        "date_blank": "",
    },
}
# Shown in every language: the filing goes to a Chinese authority.
NOTICE_ZH = LABELS["zh"]["notice"]
DECLARATION_ZH = LABELS["zh"]["declaration_text"]


def _article(numeral: str, lang: str) -> str:
    """Return a clause's number as printed: 一 in Chinese, Art. 1 in English."""
    from .numerals import to_int

    return f"Art. {to_int(numeral)}" if lang == "en" else numeral


def _word(words: str, lang: str) -> str:
    """English words for a status or a kind start with a capital, so none reads as a code (eligible → Eligible)."""
    return words[:1].upper() + words[1:] if lang == "en" else words


class AssetRefused(ValueError):
    """Raised for any URL other than a file inside templates/pdf."""


class AssetFetcher(URLFetcher):
    """Fetch only the estimate's own bundled assets; refuse the network, other files and data: URIs.

    WeasyPrint catches the refusal, logs it and renders on without the resource. `refused` and `fetched`
    keep every URL asked for, so a test can prove that nothing outside the template folder was read.
    """

    def __init__(self, root: Path = TEMPLATE_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = root.resolve()
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = self._bundled_path(url)
        if path is None:
            self.refused.append(url)
            raise AssetRefused(f"not a bundled asset: {url[:200]}")
        self.fetched.append(url)
        kind = "text/css" if path.suffix == ".css" else "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    def _bundled_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        # resolve() follows "..", "%2e%2e" once unquoted, and symlinks before the containment check.
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def render_estimate(assessment: dict, lang: str, verify_url: str, *, fetcher: AssetFetcher | None = None) -> bytes:
    """Return the estimate of a stored assessment as PDF bytes, in lang ("zh" or "en")."""
    lang = normalise_language(lang)
    html = _env.get_template("estimate.html").render(_context(assessment, lang, verify_url))
    return html_to_pdf(html, fetcher or AssetFetcher())


def html_to_pdf(html: str, fetcher: AssetFetcher) -> bytes:
    """Lay out html, whose relative URLs resolve inside templates/pdf, through fetcher."""
    document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=fetcher)
    return document.write_pdf(font_config=_font_config())


_local = threading.local()


def _font_config() -> FontConfiguration:
    """Return this thread's font configuration, made on first use.

    Reusing it keeps the fonts Pango has loaded between renders (about 30 ms a PDF). The estimate declares no
    @font-face, so nothing from one document stays in it for the next; one per thread, as Pango's font map
    is not meant to be shared between threads.
    """
    if not hasattr(_local, "font_config"):
        _local.font_config = FontConfiguration()
    return _local.font_config


def _context(assessment: dict, lang: str, verify_url: str) -> dict:
    result = assessment["result"]
    clauses = result["clauses"]
    computed = [clause for clause in clauses if "refers_to" not in clause]
    referrals = [clause for clause in clauses if clause["status"] == "referral"]
    applying = [clause for clause in computed if clause["status"] != "not_applicable"]
    company = assessment["profile"]["company"]
    return {
        "lang": lang,
        "t": LABELS[lang],
        "notice_zh": NOTICE_ZH,
        "declaration_zh": DECLARATION_ZH,
        "reference": assessment["reference"],
        "revision": assessment["revision"],
        "code": assessment["code"],
        "date": _date(assessment["created_at"], lang),
        "company": company,
        "entity_type": _word(value_label(company.get("entity_type", ""), lang), lang),
        "policy": result["policy"],
        "clauses": [_clause_row(clause, lang) for clause in computed],
        "totals": [
            _total(LABELS[lang]["total_exact"], result["total_exact_fen"]),
            _total(LABELS[lang]["total_up_to"], result["total_up_to_fen"]),
            _total(LABELS[lang]["total"], result["total_fen"]),
        ],
        "hints": [clause for clause in clauses if clause.get("hints")],
        "readings": _readings(result, applying + referrals, lang),
        "confirmations": [clause for clause in clauses if clause.get("needs_confirmation")],
        "referrals": referrals,
        "cited": [_clause_row(clause, lang) for clause in applying + referrals],
        "verify_url": verify_url,
        "qr_svg": _qr_svg(verify_url),
    }


def _readings(result: dict, clauses: list[dict], lang: str) -> list[dict]:
    """Return the readings section: the policy's own readings once, then each clause's other readings."""
    shared = result.get("readings") or []
    found = [{"title": LABELS[lang]["policy_readings"], "readings": shared}] if shared else []
    for clause in clauses:
        own = [reading for reading in clause.get("readings", []) if reading not in shared]
        if own:
            found.append({"title": clause["title"], "readings": own})
    return found


def _clause_row(clause: dict, lang: str) -> dict:
    eligible = clause["status"] == "eligible"
    item_reasons = {reason for item in clause["items"] for reason in item["reasons"]}
    item_missing = {field for item in clause["items"] for field in item.get("missing", [])}
    clause_missing = [(path, label) for path, label in _labelled(clause, "missing", lang) if path not in item_missing]
    return {
        **clause,
        "items": [{**item, "missing_text": _missing(_labelled(item, "missing", lang), lang),
                   "outcomes_text": item.get("outcomes_text", [])} for item in clause["items"]],
        # A clause repeats the reasons and gaps of its items: print each once, under the item.
        "reasons": [reason for reason in clause["reasons"] if reason not in item_reasons],
        "missing_text": _missing(clause_missing, lang),
        "may_rise_text": clause.get("may_rise_text", ""),
        "status_text": _word(text(f"status_{clause['status']}", lang), lang),
        "number": _article(clause["citation"]["clause"], lang),
        "ref": LABELS[lang]["clause_ref"].format(n=_article(clause["citation"]["clause"], lang).removeprefix("Art. ")),
        "amount_text": format_yuan(clause["amount_fen"]) if eligible else "—",
        "up_to": eligible and clause["basis"] == "up_to",
        # A lone item named after the clause adds nothing but its formula.
        "show_item_names": any(item["name"] != clause["title"] for item in clause["items"]),
    }


def _labelled(entry: dict, key: str, lang: str) -> list[tuple[str, str]]:
    """Return (path, label) for each path an entry lists under key; results stored before labels existed get
    the field's own label."""
    paths = entry.get(key, [])
    labels = entry.get(f"{key}_labels") or [field_label(path, lang) for path in paths]
    return list(zip(paths, labels, strict=True))


def _missing(labelled: list[tuple[str, str]], lang: str) -> str:
    """Return the missing profile fields in words: "缺少：研发项目 1「视觉芯片」的“项目研发投入”、…"."""
    if not labelled:
        return ""
    labels = LABELS[lang]
    return labels["missing"] + labels["list_separator"].join(label for _, label in labelled)


def _total(label: str, fen: int) -> dict:
    return {"label": label, "figures": format_yuan(fen), "capital": to_capital(fen)}


def _date(created_at: str, lang: str) -> str:
    day = datetime.fromisoformat(created_at).date()
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def _qr_svg(url: str) -> Markup:
    # segno writes only path data from the URL, never the URL as markup, so the SVG is safe to inline.
    # Inline SVG needs no fetch at all, so the fetcher can refuse every data: URI.
    return Markup(segno.make(url, error="m").svg_inline(omitsize=True, svgclass="qr", lineclass=None))


DECISION_LABELS = {
    "zh": {"title": "补助申报审核决定", "final": "最终决定", "note": "决定说明", "officer": "经办人员",
           "decided_at": "决定日期", "clauses": "分条审核", "claimed": "申报金额", "verified": "核实金额",
           "difference": "差额", "decision": "决定", "evidence": "证据已核", "approve": "同意", "reject": "不同意",
           "yes": "是", "total": "合计", "approved_exact": "同意的确定金额合计", "claimed_exact": "申报的确定金额合计",
           "claimed_up_to": "申报的最高金额合计", "approved_up_to": "同意的最高金额合计",
           "totals_note": "确定金额与最高金额（政策规定的上限）分开合计，不相加。",
           "verified_exact": "核实的确定金额合计", "verified_up_to": "核实的最高金额合计",
           "notice": "本决定依据经办人员核实的数据，按申报时的政策版本重新计算。",
           "verify_text": "扫描二维码或访问下列网址，核对本决定的内容。"},
    "en": {"title": "Decision on a subsidy filing", "final": "Final decision", "note": "Note", "officer": "Officer",
           "decided_at": "Decided on", "clauses": "Clause by clause", "claimed": "Claimed", "verified": "Verified",
           "difference": "Difference", "decision": "Decision", "evidence": "Evidence checked", "approve": "Approved",
           "reject": "Not approved", "yes": "Yes", "total": "Total", "approved_exact": "Exact amounts approved",
           "claimed_exact": "Exact amounts claimed",
           "claimed_up_to": "“Up to” amounts claimed",
           "totals_note": "Exact amounts and “up to” amounts (ceilings set by the policy) are totalled apart, "
                          "never added.",
           "approved_up_to": "“Up to” amounts approved", "verified_exact": "Exact amounts verified",
           "verified_up_to": "“Up to” amounts verified",
           "notice": "Recomputed from the values the officer verified, with the policy version of the filing.",
           "verify_text": "Scan the code or open the address below to check this decision."},
}
FINAL_WORDS = {"approved": ("批准", "Approved"), "partly_approved": ("部分批准", "Partly approved"),
               "rejected": ("不予批准", "Rejected")}


def render_decision(saved: dict, review: dict, rows: list[dict], lang: str, *, code: str, verify_url: str) -> bytes:
    """Return an officer's decision on a filing as PDF bytes: claimed and verified per clause, and the decision."""
    lang = normalise_language(lang)
    labels = {**LABELS[lang], **DECISION_LABELS[lang]}
    shown = [row for row in rows
             if row["claimed_status"] != "not_applicable" or row["verified_status"] != "not_applicable"]
    for row in shown:
        decision = review["clause_decisions"].get(row["id"], {})
        row.update(number=_article(row["clause"], lang),
                   claimed_text=format_yuan(row["claimed_fen"]), verified_text=format_yuan(row["verified_fen"]),
                   difference_text=format_yuan(row["difference_fen"]),
                   decision=labels.get(decision.get("decision"), "—"),
                   decision_note=decision.get("note", ""), evidence=review["evidence"].get(row["id"], False))
    verified = review[f"verified_{lang}"]
    context = {
        "lang": lang, "t": labels, "reference": saved["reference"], "revision": saved["revision"],
        "company": saved["profile"]["company"], "policy": verified["policy"], "rows": shown,
        "claimed_totals": [_total(labels["claimed_exact"], saved["result"][lang]["total_exact_fen"]),
                           _total(labels["claimed_up_to"], saved["result"][lang]["total_up_to_fen"])],
        "verified_totals": [_total(labels["verified_exact"], verified["total_exact_fen"]),
                            _total(labels["verified_up_to"], verified["total_up_to_fen"])],
        "approved_totals": [_total(labels[f"approved_{basis}"], sum(
            row["verified_fen"] for row in rows if row["basis"] == basis
            and review["clause_decisions"].get(row["id"], {}).get("decision") == "approve"))
            for basis in ("exact", "up_to")],
        "final": FINAL_WORDS[review["final_decision"]][1 if lang == "en" else 0],
        "final_note": review["final_note"] or "", "officer": review["officer"],
        "decided_at": _date(review["decided_at"], lang),
        "code": code, "verify_url": verify_url, "qr_svg": _qr_svg(verify_url),
    }
    return html_to_pdf(_env.get_template("decision.html").render(context), AssetFetcher())
