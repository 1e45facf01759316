"""A bar chart of the budget by clause, baseline beside variant, drawn as SVG on the server (no script: the CSP)."""

from markupsafe import Markup, escape

from .charts import _short

# Each clause's name on its own line above its two bars: names are long (in English above all) and a label
# column beside the bars cut them off on a narrow screen.
ROW, NAME, BAR, WIDTH, RIGHT = 48, 14, 12, 560, 90


def budget_chart(clauses: list[dict], names: dict, lang: str, labels: tuple[str, str]) -> Markup:
    """Return an SVG with two bars per clause that gives money: the baseline's budget and the variant's."""
    shown = [c for c in clauses if c["basis"] != "referral"]
    top = max([1] + [max(c["base_fen"], c["variant_fen"]) for c in shown])
    span = WIDTH - RIGHT
    height = ROW * len(shown) + 28
    parts = [f'<svg class="budget" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(labels[0])} / {escape(labels[1])}"><title>{escape(labels[0])} / '
             f'{escape(labels[1])}</title>',
             f'<rect class="base" x="0" y="4" width="10" height="10"/>'
             f'<text x="14" y="13">{escape(labels[0])}</text>'
             f'<rect class="variant" x="160" y="4" width="10" height="10"/>'
             f'<text x="174" y="13">{escape(labels[1])}</text>']
    for index, clause in enumerate(shown):
        y = 28 + index * ROW
        parts.append(f'<text class="name" x="0" y="{y + NAME - 3}">'
                     f"{escape(names.get(clause['clause'], clause['clause']))}</text>")
        y += NAME
        for offset, key, css in ((0, "base_fen", "base"), (BAR + 1, "variant_fen", "variant")):
            width = span * clause[key] / top  # a drawing size only: amounts stay integers everywhere else
            parts.append(f'<rect class="{css}" x="0" y="{y + offset}" width="{width:.1f}" height="{BAR}"/>'
                         f'<text class="value" x="{width + 4:.1f}" y="{y + offset + BAR - 2}">'
                         f"{escape(_short(clause[key], lang))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
