"""Small SVG charts drawn on the server: a clause's amount against its base, the firm's point, and the cap."""

from markupsafe import Markup, escape

from ..money import base_where_cap_binds, format_wan, parse_percent


def _base_anchor(point_x: float) -> str:
    if point_x < WIDTH * 0.25:
        return "start"
    return "end" if point_x > WIDTH * 0.75 else "middle"

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 8, 12, 14, 22


def _short(fen: int, lang: str) -> str:
    """Return an amount short enough for a chart label: 240万元, or ¥2.4M in English."""
    if lang != "en":
        return format_wan(fen)
    yuan = fen / 100  # a label only: rounding here never reaches a result
    return f"¥{yuan / 1e6:,.4g}M" if yuan >= 1e6 else f"¥{yuan:,.0f}"


def rate_chart(item: dict, label_base: str, label_cap: str, lang: str = "zh") -> Markup | None:
    """Return an SVG of amount = min(rate × base, cap) with the item's point, or None if it has no rate."""
    if "rate" not in item or item.get("cap_fen") is None:
        return None
    rate, cap, base, amount = parse_percent(item["rate"]), item["cap_fen"], item["base_fen"], item["amount_fen"]
    binds_at = base_where_cap_binds(rate, cap)
    x_max = max(base, binds_at) * 1.25 or 1
    y_max = cap * 1.25 or 1

    def x(value):
        return LEFT + (WIDTH - LEFT - RIGHT) * value / x_max

    def y(value):
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / y_max

    line = f"{x(0):.1f},{y(0):.1f} {x(binds_at):.1f},{y(cap):.1f} {x(x_max):.1f},{y(cap):.1f}"
    point_x, point_y = x(base), y(amount)
    anchor = "end" if point_x > WIDTH * 0.6 else "start"
    shift = -6 if anchor == "end" else 6
    short = lambda fen: _short(fen, lang)  # noqa: E731
    title = f"{label_base} {short(base)} → {short(amount)}; {label_cap} {short(cap)}"
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<line class="axis" x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(x_max):.1f}" y2="{y(0):.1f}"/>'
        f'<line class="cap" x1="{x(0):.1f}" y1="{y(cap):.1f}" x2="{x(x_max):.1f}" y2="{y(cap):.1f}"/>'
        f'<text class="cap-label" x="{x(0) + 2:.1f}" y="{y(cap) - 4:.1f}">'
        f"{escape(label_cap)} {escape(short(cap))}</text>"
        f'<polyline class="curve" points="{line}"/>'
        f'<line class="guide" x1="{point_x:.1f}" y1="{point_y:.1f}" x2="{point_x:.1f}" y2="{y(0):.1f}"/>'
        f'<circle class="point" cx="{point_x:.1f}" cy="{point_y:.1f}" r="4.5"/>'
        f'<text class="point-label" x="{point_x + shift:.1f}" y="{point_y - 8:.1f}" '
        f'text-anchor="{anchor}">{escape(short(amount))}</text>'
        f'<text class="base-label" x="{point_x:.1f}" y="{HEIGHT - 6}" text-anchor="{_base_anchor(point_x)}">'
        f"{escape(label_base)} {escape(short(base))}</text>"
        "</svg>")
