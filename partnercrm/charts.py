"""Charts as inline SVG, drawn here: no JavaScript, no network, prints crisply on paper.

Each function returns SVG markup (a `markupsafe.Markup`, safe to drop into an autoescaped
Jinja2 template); every label is escaped on the way in. Sizes are in SVG user units and the
chart scales to the width of its container.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9dee4"
BRAND = "#0b5394"  # a deep council blue
DONE = "#2f7d4f"  # green: committed, delivered
FUNNEL = ("#0b5394", "#3d73ad", "#5b89bd")
GAP = "#fbe9e7"
GAP_INK = "#b3261e"
FONT = "font-family=\"'Segoe UI', Helvetica, Arial, sans-serif\""


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}" {FONT}>'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _short(value: float) -> str:
    """A compact figure for a label on a narrow bar: 824,692 -> 825k, 1,234,567 -> 1.2m."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}m"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.0f}k"
    return _fmt(value)


def funnel(
    steps: Sequence[tuple[str, float]],
    *,
    aside: Sequence[tuple[str, float]] = (),
    label: str = "Funnel",
    width: int = 900,
) -> Markup:
    """A funnel: centred bars, each as wide as its share of the first, widest step.

    `aside` are the ones that fell out (e.g. parked, declined), drawn small and grey below.
    """
    row, gap, top = 36, 6, 4
    height = top + len(steps) * (row + gap) + (28 if aside else 0)
    widest = max((v for _, v in steps), default=0) or 1
    usable = width - 420  # room for the labels on the left, and a narrower funnel
    body: list[str] = []
    for i, (name, value) in enumerate(steps):
        y = top + i * (row + gap)
        w = max(2.0, usable * value / widest)
        x = 220 + (usable - w) / 2
        share = f" ({value / steps[0][1] * 100:.0f}%)" if i and steps[0][1] else ""
        fill = FUNNEL[min(i, len(FUNNEL) - 1)] if i < len(steps) - 1 else DONE
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row}" rx="3" fill="{fill}"/>'
            f'<text x="210" y="{y + row / 2 + 5}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{escape(name)}</text>'
            f'<text x="{220 + usable / 2}" y="{y + row / 2 + 6}" text-anchor="middle" '
            f'font-size="15" font-weight="600" fill="#fff">'
            f"{_fmt(value)}{share}</text>"
        )
    if aside:
        y = top + len(steps) * (row + gap) + 16
        words = " · ".join(f"{escape(n)}: {_fmt(v)}" for n, v in aside)
        body.append(
            f'<text x="{220 + usable / 2}" y="{y}" text-anchor="middle" font-size="13" '
            f'fill="{MUTED}">{words}</text>'
        )
    return _svg(width, height, body, label)


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    notes: Sequence[Sequence[str]] | None = None,
    label: str = "Heat map",
    width: int = 900,
) -> Markup:
    """A grid of cells shaded by value; a zero cell is marked as a gap in red.

    `notes` (same shape as `values`) is a short line under each cell's number.
    """
    left, head, cell_h = 200, 50, 62
    cell_w = (width - left) / max(1, len(columns))
    fits = max(8, int(cell_w / 7.6))  # characters of 13-unit text across a cell
    note_fits = max(8, int(cell_w / 6.0))  # of 11-unit text
    height = head + len(rows) * cell_h + 4
    top_value = max((v for line in values for v in line), default=0) or 1
    body: list[str] = []
    for j, name in enumerate(columns):
        x = left + j * cell_w + cell_w / 2
        body.append(_wrapped(name, x, 22, 15, "middle", 13, INK, bold=True, limit=fits))
    for i, name in enumerate(rows):
        y = head + i * cell_h
        body.append(_wrapped(name, left - 10, y + cell_h / 2 - 2, 20, "end", 13, INK, bold=True))
        for j, value in enumerate(values[i]):
            x = left + j * cell_w
            if value:
                shade = 0.25 + 0.75 * value / top_value
                fill, ink = (
                    f'fill="{BRAND}" fill-opacity="{shade:.2f}"',
                    "#fff" if shade > 0.5 else INK,
                )
                text = _fmt(value)
            else:
                fill, ink, text = f'fill="{GAP}"', GAP_INK, "gap"
            body.append(
                f'<rect x="{x + 2:.1f}" y="{y + 2}" width="{cell_w - 4:.1f}" '
                f'height="{cell_h - 4}" rx="3" {fill} stroke="{GRID}"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 25}" text-anchor="middle" '
                f'font-size="16" font-weight="600" fill="{ink}">{text}</text>'
            )
            note = notes[i][j] if notes else ""
            for k, part in enumerate(note.split("\n")[:2]):
                if len(part) > note_fits:
                    part = part[: note_fits - 1] + "…"
                body.append(
                    f'<text x="{x + cell_w / 2:.1f}" y="{y + 42 + 13 * k}" text-anchor="middle" '
                    f'font-size="11" fill="{ink if value else MUTED}">{escape(part)}</text>'
                )
    return _svg(width, height, body, label)


def _wrapped(
    text: str,
    x: float,
    y: float,
    line: int,
    anchor: str,
    size: int,
    fill: str,
    *,
    bold: bool = False,
    limit: int = 22,
) -> str:
    """Text broken into at most two lines of about `limit` characters."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > limit:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])[: limit - 1] + "…"]
    weight = ' font-weight="600"' if bold else ""
    start = y - (len(lines) - 1) * line / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{start + k * line:.1f}">{escape(part)}</tspan>'
        for k, part in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="{size}" fill="{fill}"{weight}>{spans}</text>'


def bars(
    points: Sequence[tuple[str, float]],
    *,
    label: str = "Bars",
    unit: str = "",
    width: int = 440,
    height: int = 200,
    colour: str = BRAND,
) -> Markup:
    """Vertical bars over time (or any ordered labels), with the value on each bar."""
    left, bottom, top = 48, 44, 22
    plot_h = height - bottom - top
    peak = max((v for _, v in points), default=0) or 1
    slot = (width - left - 8) / max(1, len(points))
    bar_w = min(56.0, slot * 0.7)
    body: list[str] = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="{MUTED}">'
        f"{_short(peak)}</text>",
        f'<line x1="{left}" y1="{top}" x2="{width - 8}" y2="{top}" stroke="{GRID}" '
        f'stroke-dasharray="3 3"/>',
    ]
    if unit:
        body.append(f'<text x="{left}" y="12" font-size="12" fill="{MUTED}">{escape(unit)}</text>')
    every = max(1, -(-40 // max(1, int(slot))))  # a label needs about 40 units of room
    for i, (name, value) in enumerate(points):
        h = plot_h * value / peak
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}"/>'
        )
        text = _short(value)
        if value and (len(text) * 6.5 <= slot or value == peak):  # label only where it fits
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="{INK}">{text}</text>'
            )
        if i % every == 0:
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'font-size="11" fill="{MUTED}">{escape(name)}</text>'
            )
    if not points:
        body.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="14" '
            f'fill="{MUTED}">Nothing delivered in this period</text>'
        )
    return _svg(width, height, body, label)


def hbars(
    points: Sequence[tuple[str, float]],
    *,
    label: str = "Bars",
    width: int = 900,
    colour: str = BRAND,
) -> Markup:
    """Horizontal bars, one labelled row each: for comparing categories such as sectors."""
    row, left = 26, 240
    height = len(points) * row + 8
    peak = max((v for _, v in points), default=0) or 1
    usable = (width - left) * 0.6
    body: list[str] = []
    for i, (name, value) in enumerate(points):
        y = 4 + i * row
        w = usable * value / peak
        body.append(
            f'<text x="{left - 8}" y="{y + row / 2 + 4}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{w:.1f}" height="{row - 10}" fill="{colour}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + row / 2 + 4}" font-size="12" '
            f'fill="{INK}">{_fmt(value)}</text>'
        )
    return _svg(width, height, body, label)
