"""axe-core in every page the browser tests open, at desktop and at phone width.

An init script puts axe into every document the tests' contexts load; once a document has loaded it audits
itself and reports through a binding, at the width of its context (desktop or phone). At the end of each test
every open page is audited again as the test left it, at 1280 px and at 360 px. A critical or serious violation
fails the test; every finding and the documents audited are written to test-artifacts/browser/axe/.

(Auditing from a route handler, just before a page navigates away, deadlocks Playwright's sync API: an evaluate
issued while a navigation is held never returns. So documents audit themselves.)
"""

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = ({"width": 1280, "height": 900}, {"width": 360, "height": 740})
FAILING = ("critical", "serious")
_SUMMARY = """v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')), count: v.nodes.length})"""
_RUN = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(" + _SUMMARY + ")"
_ON_LOAD = """
(() => {
  if (window.top !== window) return;
  window.addEventListener('load', () => setTimeout(async () => {
    if (!window.axe || !window.__axeReport || window.__axeBusy) return;
    window.__axeBusy = true;
    try {
      const result = await axe.run(document, {resultTypes: ['violations']});
      window.__axeReport({url: location.href, width: window.innerWidth,
                          violations: result.violations.map(""" + _SUMMARY + """)});
    } catch (error) { /* the page was left before axe finished: it is audited on its next visit or at the end */ }
    window.__axeBusy = false;
  }, 30));
})();
"""
_FINGERPRINT = """() => document.documentElement.outerHTML.replace(/name="csrf_token" value="[^"]*"/g, '')
    .replace(/data-csrf="[^"]*"/g, '')"""


def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make test` (it runs npm ci) or `npm ci` in the project folder")
    return AXE.read_text(encoding="utf-8")


class Auditor:
    """Runs axe on pages and keeps what it found; one per test."""

    seen: set = set()  # documents audited at both widths in this session, by fingerprint: not audited twice

    def __init__(self):
        self.source = axe_source()
        self.findings: list[dict] = []
        self.audited: list[str] = []

    def audit(self, page, when: str):
        """Run axe on page's current document at both widths; a page that is gone or navigating is skipped."""
        try:
            if page.is_closed() or not page.url.startswith("http"):
                return
            fingerprint = hashlib.sha256(page.evaluate(_FINGERPRINT).encode()).hexdigest()
            if fingerprint in Auditor.seen:
                return
            original = page.viewport_size
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(self.source)
            page.wait_for_function("() => !window.__axeBusy", timeout=10_000)
            page.evaluate("() => { window.__axeBusy = true; }")
            for size in WIDTHS:
                page.set_viewport_size(size)
                for violation in page.evaluate(_RUN):
                    self.findings.append({**violation, "url": page.url, "width": size["width"], "when": when})
            page.set_viewport_size(original)
            self.audited.append(f"{page.url} at 1280 and 360 px ({when})")
            Auditor.seen.add(fingerprint)
        except Exception as error:  # a page torn down mid-audit (closed, crashed) is not a finding
            if "closed" not in str(error) and "destroyed" not in str(error) and "navigat" not in str(error):
                raise

    def audit_without_script(self, page, browser):
        """Audit a page of a context without JavaScript (axe needs script): its address is opened again in a
        scripted context with the same cookies, and audited there at both widths."""
        if page.is_closed() or not page.url.startswith("http"):
            return
        context = browser.new_context(storage_state=page.context.storage_state(), viewport=page.viewport_size)
        try:
            copy = context.new_page()
            copy.goto(page.url)
            self.audit(copy, "at the end of the test, reopened with script (the page had none)")
        finally:
            context.close()

    def watch(self, context):
        """Have every document of context audit itself once it has loaded, and keep what it reports."""
        def report(source, found):
            self.audited.append(f"{found['url']} at {found['width']} px (on load)")
            for violation in found["violations"]:
                self.findings.append({**violation, "url": found["url"], "width": found["width"], "when": "on load"})
        context.expose_binding("__axeReport", report)
        context.add_init_script(self.source + "\n" + _ON_LOAD)

    def failures(self) -> list[dict]:
        return [f for f in self.findings if f["impact"] in FAILING]

    def report(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"audits": self.audited, "findings": self.findings},
                                   ensure_ascii=False, indent=1), encoding="utf-8")


def describe(findings: list[dict]) -> str:
    return "\n".join(f"  [{f['impact']}] {f['id']} at {f['width']} px on {f['url']} ({f['when']}): {f['help']}; "
                     f"{f['count']} node(s), e.g. {', '.join(f['targets'][:3])}" for f in findings)
