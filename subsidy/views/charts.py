"""Small SVG charts drawn on the server: a clause's amount against its base, the firm's point, and the cap."""

from markupsafe import Markup, escape

from ..money import base_where_cap_binds, format_wan, parse_percent

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 8, 12, 14, 22


def rate_chart(item: dict, label_base: str, label_cap: str) -> Markup | None:
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
    title = f"{label_base} {format_wan(base)} → {format_wan(amount)}; {label_cap} {format_wan(cap)}"
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<line class="axis" x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(x_max):.1f}" y2="{y(0):.1f}"/>'
        f'<line class="cap" x1="{x(0):.1f}" y1="{y(cap):.1f}" x2="{x(x_max):.1f}" y2="{y(cap):.1f}"/>'
        f'<text class="cap-label" x="{x(0) + 2:.1f}" y="{y(cap) - 4:.1f}">{escape(label_cap)} {escape(format_wan(cap))}</text>'
        f'<polyline class="curve" points="{line}"/>'
        f'<circle class="point" cx="{point_x:.1f}" cy="{point_y:.1f}" r="4.5"/>'
        f'<text class="point-label" x="{point_x + shift:.1f}" y="{min(point_y + 16, HEIGHT - BOTTOM - 4):.1f}" '
        f'text-anchor="{anchor}">{escape(format_wan(amount))}</text>'
        f'<text class="base-label" x="{x(x_max):.1f}" y="{HEIGHT - 6}" text-anchor="end">'
        f"{escape(label_base)} {escape(format_wan(base))}</text>"
        "</svg>")
