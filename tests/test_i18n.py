"""Every string on the pages has its English translation, and the compiled catalogue is up to date."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from subsidy.messages import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHODS = [("subsidy/**.py", "python"), ("templates/**.html", "jinja2")]


def extracted_ids():
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords={"_": None, "gettext": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_page_string_has_an_english_translation():
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = sorted(i for i in extracted_ids() if not translated.get(i))
    assert not missing, f"untranslated (run scripts/i18n.sh and fill them in): {missing}"


def test_the_compiled_catalogue_matches_its_source():
    with PO.open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with MO.open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "translations/en/LC_MESSAGES/messages.mo is stale: run scripts/i18n.sh"


def test_every_message_of_the_catalogue_has_both_languages():
    assert all(zh and en for zh, en in CATALOGUE.values())
