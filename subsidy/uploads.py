"""Uploads bounded before they are parsed: body size per endpoint, XLSX bombs, CSV encodings.

The app refuses bodies over 1 MB. The officer's batch upload and PDF verification need more, and the limit must
be raised before anything reads the form, CSRF included (Flask-WTF reads it in its own before_request): so a
before_request registered ahead of CSRFProtect raises it, for those endpoints and a logged-in officer only.

An XLSX file is a zip: 400 KB can unpack to gigabytes. Before openpyxl sees it, every member's declared size
and compression ratio is checked (zipfile never inflates a member past its declared size: a lie ends in a CRC
error), then the sheets and shared strings are scanned with expat, which holds one chunk at a time, for the
number of rows, cells per row and characters per cell.
"""

import io
import xml.parsers.expat
import zipfile

from charset_normalizer import from_bytes
from flask import request
from flask_login import current_user

MB = 1024 * 1024
BODY_LIMITS = {
    "officer_batch.upload_post": 64 * MB,  # 100,000 rows of the full layout are about 20 MB of CSV
    "officer_records.verify": 10 * MB + 64 * 1024,
}
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 2_000
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 256 * MB  # one sheet of 100,000 full rows is about 120 MB of XML
MAX_SHARED_STRINGS_BYTES = 64 * MB
MAX_RATIO = 100  # XLSX of real data compresses 5–30 times; bombs hundreds or thousands of times
RATIO_FROM_BYTES = 4 * MB  # small members (styles, a short sheet) may compress better without harm
CSV_ENCODINGS = ("utf_8", "gb18030")  # what Excel writes: UTF-8 (with BOM or not), and GBK on Chinese Windows


class UploadError(Exception):
    """An upload refused as a whole; code names the message, params fill it."""

    def __init__(self, code: str, status: int = 400, **params):
        self.code, self.status, self.params = code, status, params
        super().__init__(code)


def raise_body_limit():
    """Let a logged-in officer send a larger body to the endpoints that take files, before anything parses it."""
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit and request.method == "POST" and current_user.is_authenticated:
        request.max_content_length = limit


def init_app(app):
    """Register the limit; call before CSRFProtect(app), whose check parses the form."""
    app.before_request(raise_body_limit)


def decode_csv(data: bytes) -> str:
    """Return a CSV file's text: UTF-8 with or without BOM, or GB18030/GBK, as charset-normalizer finds it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    best = from_bytes(data, cp_isolation=list(CSV_ENCODINGS)).best()
    if best is None:
        raise UploadError("encoding")
    return str(best)


def check_xlsx(data: bytes):
    """Refuse an XLSX file that would unpack or parse into more than a batch can hold; return None if it is fine."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UploadError("not_xlsx") from error
    if len(members) > MAX_MEMBERS:
        raise UploadError("xlsx_bomb", status=413, member=f"{len(members)} files")
    for member in members:
        limit = MAX_SHARED_STRINGS_BYTES if member.filename.endswith("sharedStrings.xml") else MAX_MEMBER_BYTES
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limit or (member.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO):
            raise UploadError("xlsx_bomb", status=413, member=member.filename)
    with archive:
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml") or name.endswith("sharedStrings.xml"):
                _scan(archive, member)


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo):
    """Count rows, cells per row and characters per cell of one XML member, one chunk in memory at a time."""
    state = {"rows": 0, "cells": 0, "chars": 0}

    def start(tag, attributes):
        if tag == "row":
            state["rows"] += 1
            state["cells"] = 0
            if state["rows"] > MAX_ROWS + 1:  # the header row and 100,000 rows of data
                raise UploadError("too_many_rows")
        elif tag == "c":
            state["cells"] += 1
            if state["cells"] > MAX_COLUMNS:
                raise UploadError("too_many_columns", limit=MAX_COLUMNS)
        state["chars"] = 0

    def text(data):
        state["chars"] += len(data)
        if state["chars"] > MAX_CELL_CHARS:
            raise UploadError("cell_too_long", limit=MAX_CELL_CHARS)

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(MB):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (xml.parsers.expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise UploadError("not_xlsx") from error
