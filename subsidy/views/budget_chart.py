"""A bar chart of the budget by clause, baseline beside variant, drawn as SVG on the server (no script: the CSP)."""

from markupsafe import Markup, escape

from .charts import _short

ROW, BAR, LABEL, WIDTH, RIGHT = 34, 12, 150, 560, 90


def budget_chart(clauses: list[dict], names: dict, lang: str, labels: tuple[str, str]) -> Markup:
    """Return an SVG with two bars per clause that gives money: the baseline's budget and the variant's."""
    shown = [c for c in clauses if c["basis"] != "referral"]
    top = max([1] + [max(c["base_fen"], c["variant_fen"]) for c in shown])
    span = WIDTH - LABEL - RIGHT
    height = ROW * len(shown) + 30
    parts = [f'<svg class="budget" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(labels[0])} / {escape(labels[1])}"><title>{escape(labels[0])} / '
             f'{escape(labels[1])}</title>',
             f'<rect class="base" x="{LABEL}" y="4" width="10" height="10"/>'
             f'<text x="{LABEL + 14}" y="13">{escape(labels[0])}</text>'
             f'<rect class="variant" x="{LABEL + 120}" y="4" width="10" height="10"/>'
             f'<text x="{LABEL + 134}" y="13">{escape(labels[1])}</text>']
    for index, clause in enumerate(shown):
        y = 24 + index * ROW
        parts.append(f'<text class="name" x="{LABEL - 6}" y="{y + BAR + 2}" text-anchor="end">'
                     f"{escape(names.get(clause['clause'], clause['clause']))}</text>")
        for offset, key, css in ((0, "base_fen", "base"), (BAR + 1, "variant_fen", "variant")):
            width = span * clause[key] / top  # a drawing size only: amounts stay integers everywhere else
            parts.append(f'<rect class="{css}" x="{LABEL}" y="{y + offset}" width="{width:.1f}" height="{BAR}"/>'
                         f'<text class="value" x="{LABEL + width + 4:.1f}" y="{y + offset + BAR - 2}">'
                         f"{escape(_short(clause[key], lang))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
