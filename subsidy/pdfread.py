"""Read the reference, revision, code and total back out of a PDF estimate a firm filed."""

import io
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError

REFERENCE = re.compile(r"HZAI-\d{4}-\d{6}")
CODE = re.compile(r"\b([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})\b")
REVISION = re.compile(r"(?:第\s*(\d+)\s*版|[Rr]evision\s*(\d+))")
CODE_IN_URL = re.compile(r"/verify/(HZAI-\d{4}-\d{6})\?code=([A-Z2-7-]{19})")
MAX_PAGES = 20


def codes_in_pdf(data: bytes) -> dict | None:
    """Return {"reference", "code", "revision"} read from a PDF's text, or None if it has none."""
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return None
    compact = re.sub(r"\s+", "", text)
    in_url = CODE_IN_URL.search(compact)
    reference = in_url.group(1) if in_url else (REFERENCE.search(text) or [None])[0]
    code = in_url.group(2) if in_url else None
    if code is None:
        match = CODE.search(text)
        code = match.group(1) if match else None
    if not reference or not code:
        return None
    revision = REVISION.search(text)
    return {"reference": reference, "code": code,
            "revision": int(next(g for g in revision.groups() if g)) if revision else None}
