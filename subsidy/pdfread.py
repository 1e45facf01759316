"""Read what a filed PDF says about itself: reference, code, revision, company and total, from its text.

What is read is a claim, never proof: a forger can print anything. Verification compares these claims with
the stored filing only to say what differs; whether the file is ours is decided by its SHA-256.
"""

import io
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError

REFERENCE = re.compile(r"HZAI-\d{4}-\d{6}")
CODE = re.compile(r"\b([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})\b")
REVISION = re.compile(r"(?:第\s*(\d{1,9})\s*版|[Rr]evision\s*(\d{1,9}))")
CODE_IN_URL = re.compile(r"/verify/(HZAI-\d{4}-\d{6})\?code=([A-Z2-7-]{19})")
COMPANY = re.compile(r"^(?:企业名称|Company)[ \t]+(.+)$", re.MULTILINE)
# The estimate's grand total (exact and "up to" added, labelled as such), or a decision's approved exact total,
# read from the text with its white space removed: a table cell may wrap the label over two lines.
TOTAL = re.compile(r"(?:两项相加（最多可获）|Bothadded\(atmost\)|同意的确定金额合计|Exactamountsapproved)"
                   r"(¥-?[0-9,]+\.[0-9]{2})")
MAX_PAGES = 20


class Unreadable(Exception):
    """A file whose text cannot be read; code says why (not_pdf, damaged, encrypted, no_codes)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF's first pages, or raise Unreadable."""
    if b"%PDF-" not in data[:1024]:
        raise Unreadable("not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable("encrypted")
        return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])
    except Unreadable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError) as error:
        raise Unreadable("damaged") from error


def claims_in_pdf(data: bytes) -> dict:
    """Return what a PDF says: {"reference", "code", "revision", "company", "total"}; raise Unreadable."""
    text = pdf_text(data)
    compact = re.sub(r"\s+", "", text)
    in_url = CODE_IN_URL.search(compact)
    reference = in_url.group(1) if in_url else (REFERENCE.search(text) or [None])[0]
    code = in_url.group(2) if in_url else None
    if code is None:
        match = CODE.search(text)
        code = match.group(1) if match else None
    if not reference or not code:
        raise Unreadable("no_codes")
    revision = REVISION.search(text)
    company = COMPANY.search(text)
    total = TOTAL.search(compact)
    return {"reference": reference, "code": code,
            "revision": int(next(g for g in revision.groups() if g)) if revision else None,
            "company": company.group(1).strip() if company else None,
            "total": total.group(1) if total else None}


def codes_in_pdf(data: bytes) -> dict | None:
    """Return {"reference", "code", "revision"} read from a PDF's text, or None if it has none."""
    try:
        claims = claims_in_pdf(data)
    except Unreadable:
        return None
    return {key: claims[key] for key in ("reference", "code", "revision")}
