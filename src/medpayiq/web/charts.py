"""Charts drawn on the server as inline SVG: no JavaScript, no external library, readable by
screen readers (each chart has a <title>, a <desc> and text labels), and sized by its viewBox
so it scales to a phone's width.

- `setting_bars`: non-facility vs facility, here and nationally.
- `locality_strip`: every locality's amount on one axis, the chosen one marked.
- `impact_bars`: a change per code (dollars), rises to the right and falls to the left of a
  zero line: the largest movers, or a practice's impact by code.
- `amount_bars`: dollars per group (a remittance's dollars at stake by route, by CARC, by
  cause), largest first, each bar with its amount and a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

from medpayiq.money import display, display_signed

__all__ = ["amount_bars", "impact_bars", "locality_strip", "setting_bars"]

INK = "#1f2a37"
MUTED = "#6b7280"
ACCENT = "#0f5fa8"
ACCENT_LIGHT = "#9cc3e6"
HIGHLIGHT = "#c2410c"
GRID = "#e5e7eb"


def _money(value: Decimal) -> str:
    return display(value)


def _f(value: float) -> str:
    return f"{value:.1f}"


def setting_bars(
    *,
    nonfacility: Decimal | None,
    facility: Decimal | None,
    national_nonfacility: Decimal | None,
    national_facility: Decimal | None,
    place_label: str,
    chosen: str,
) -> Markup:
    """Horizontal bars: for each setting, the local amount (dark) and the national (light)."""
    rows: list[tuple[str, str, Decimal | None, Decimal | None]] = [
        ("non-facility", "Non-facility (office)", nonfacility, national_nonfacility),
        ("facility", "Facility (hospital, ASC)", facility, national_facility),
    ]
    local_is_national = place_label == "National average"
    values = [v for _, _, a, b in rows for v in (a, b) if v is not None]
    top = max(values) if values else Decimal(1)
    width, left, right = 560, 170, 90
    bar_area = width - left - right
    row_height = 26 if local_is_national else 44
    height = 20 + row_height * len(rows) + 10
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="bars-t bars-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="bars-t">Facility and non-facility amounts</title>',
        f'<desc id="bars-d">{escape(_bars_desc(rows, place_label, local_is_national))}</desc>',
    ]
    y = 16
    for key, label, local, national in rows:
        weight = "700" if key == chosen else "400"
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="13" font-weight="{weight}" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        series = (
            [(local, ACCENT, place_label)]
            if local_is_national
            else [
                (local, ACCENT, place_label),
                (national, ACCENT_LIGHT, "National"),
            ]
        )
        for offset, (value, colour, name) in enumerate(series):
            by = y + offset * 18
            if value is None:
                parts.append(
                    f'<text x="{left}" y="{by + 12}" font-size="12" fill="{MUTED}">not '
                    "priced here (NA)</text>"
                )
                continue
            w = float(value / top) * bar_area if top else 0
            parts.append(
                f'<rect x="{left}" y="{by}" width="{_f(max(w, 1))}" height="15" rx="2" '
                f'fill="{colour}">'
                f"<title>{escape(name)}: {_money(value)}</title></rect>"
            )
            parts.append(
                f'<text x="{_f(left + w + 6)}" y="{by + 12}" font-size="12" '
                f'fill="{INK}">{_money(value)}</text>'
            )
        y += row_height
    if not local_is_national:
        parts.append(_legend(left, height - 4, [(ACCENT, place_label), (ACCENT_LIGHT, "National")]))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bars_desc(
    rows: Sequence[tuple[str, str, Decimal | None, Decimal | None]], place: str, national_only: bool
) -> str:
    out = []
    for _, label, local, national in rows:
        text = f"{label}: {place} {_money(local) if local is not None else 'not priced'}"
        if not national_only:
            text += f", national {_money(national) if national is not None else 'not priced'}"
        out.append(text)
    return "; ".join(out)


def _legend(x: int, y: int, items: Sequence[tuple[str, str]]) -> str:
    parts = []
    for colour, name in items:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 14}" y="{y}" font-size="11" fill="{MUTED}">{escape(name[:40])}</text>'
        )
        x += 24 + 7 * min(len(name), 40)
    return "".join(parts)


def locality_strip(
    *,
    amounts: Sequence[Decimal],
    here: Decimal | None,
    here_label: str,
    national: Decimal | None,
    rank: int | None,
    setting: str,
) -> Markup:
    """Every locality's amount as a tick on one axis; the chosen locality and the national
    amount marked. Ticks that coincide stack upward, so clusters show as columns."""
    width, pad, axis_y = 560, 20, 96
    low, high = min(amounts), max(amounts)
    span = float(high - low) or 1.0

    def x_of(value: Decimal) -> float:
        return pad + float(value - low) / span * (width - 2 * pad)

    position = f"rank {rank} of {len(amounts)}" if rank else f"{len(amounts)} localities"
    desc = (
        f"{setting} amounts in {len(amounts)} localities range from {_money(low)} to {_money(high)}"
        + (f"; {here_label} is {_money(here)}, {position}" if here is not None and rank else "")
        + (f"; national {_money(national)}" if national is not None else "")
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} 140" role="img" '
        'aria-labelledby="strip-t strip-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="strip-t">Where this locality stands among all localities</title>',
        f'<desc id="strip-d">{escape(desc)}</desc>',
        f'<line x1="{pad}" y1="{axis_y}" x2="{width - pad}" y2="{axis_y}" '
        f'stroke="{GRID}" stroke-width="2"/>',
    ]
    stacks: dict[int, int] = {}
    for value in sorted(amounts):
        x = x_of(value)
        column = round(x / 4)
        level = stacks.get(column, 0)
        stacks[column] = level + 1
        parts.append(
            f'<rect x="{_f(x - 1.5)}" y="{_f(axis_y - 8 - level * 5)}" width="3" '
            f'height="4" fill="{ACCENT_LIGHT}"/>'
        )
    if national is not None and low <= national <= high:
        nx = x_of(national)
        parts.append(
            f'<line x1="{_f(nx)}" y1="{axis_y - 60}" x2="{_f(nx)}" '
            f'y2="{axis_y + 4}" stroke="{MUTED}" stroke-dasharray="3 3"/>'
        )
        anchor = "end" if nx > width * 0.7 else "start"
        parts.append(
            f'<text x="{_f(nx + (-4 if anchor == "end" else 4))}" y="{axis_y - 50}" '
            f'font-size="11" fill="{MUTED}" '
            f'text-anchor="{anchor}">National {_money(national)}</text>'
        )
    if here is not None and rank is not None:
        hx = x_of(here)
        parts.append(
            f'<circle cx="{_f(hx)}" cy="{axis_y}" r="6" fill="{HIGHLIGHT}" '
            'stroke="#fff" stroke-width="2"/>'
        )
        anchor = "end" if hx > width * 0.6 else "start"
        parts.append(
            f'<text x="{_f(hx + (-8 if anchor == "end" else 8))}" y="{axis_y - 24}" '
            'font-size="12" font-weight="700" '
            f'fill="{HIGHLIGHT}" text-anchor="{anchor}">{escape(here_label)} {_money(here)}</text>'
        )
    parts.append(
        f'<text x="{pad}" y="{axis_y + 22}" font-size="11" '
        f'fill="{MUTED}">{_money(low)} lowest</text>'
    )
    parts.append(
        f'<text x="{width - pad}" y="{axis_y + 22}" font-size="11" '
        f'fill="{MUTED}" text-anchor="end">{_money(high)} highest</text>'
    )
    parts.append(
        f'<text x="{width / 2}" y="{axis_y + 40}" font-size="11" fill="{MUTED}" '
        f'text-anchor="middle">{escape(position)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _signed(value: Decimal) -> str:
    return display_signed(value)


def impact_bars(items: Sequence[tuple[str, Decimal]], *, title: str, unit: str) -> Markup:
    """One bar per item (label, change in dollars): rises right of the zero line in the
    accent colour, falls left in the highlight colour, each with its value. `unit` says
    what a bar measures ("per year at your volume", "per service")."""
    width, label_w, pad = 560, 110, 70
    row_h = 22
    height = 30 + row_h * max(len(items), 1)
    biggest = max((abs(v) for _, v in items), default=Decimal(1)) or Decimal(1)
    negatives = any(v < 0 for _, v in items)
    positives = any(v > 0 for _, v in items)
    area = width - label_w - 2 * pad
    # The zero line sits where the bars of both signs fit.
    if negatives and positives:
        zero, half = label_w + pad + area / 2, area / 2
    elif negatives:
        zero, half = label_w + pad + area, area
    else:
        zero, half = label_w + pad, area
    rises = sum(1 for _, v in items if v > 0)
    desc = f"{len(items)} codes, {rises} up and {len(items) - rises} down, {unit}: " + "; ".join(
        f"{label} {_signed(v)}" for label, v in items
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="impact-t impact-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="impact-t">{escape(title)}</title>',
        f'<desc id="impact-d">{escape(desc)}</desc>',
        f'<line x1="{_f(zero)}" y1="6" x2="{_f(zero)}" y2="{height - 18}" stroke="{GRID}" '
        'stroke-width="2"/>',
    ]
    for i, (label, value) in enumerate(items):
        y = 10 + i * row_h
        w = float(abs(value) / biggest) * half
        x = zero if value >= 0 else zero - w
        colour = ACCENT if value >= 0 else HIGHLIGHT
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12" fill="{INK}">{escape(label[:16])}</text>'
        )
        parts.append(
            f'<rect x="{_f(x)}" y="{y}" width="{_f(max(w, 1))}" height="15" rx="2" '
            f'fill="{colour}"><title>{escape(label)}: {_signed(value)}</title></rect>'
        )
        tx, anchor = (zero + w + 5, "start") if value >= 0 else (zero - w - 5, "end")
        parts.append(
            f'<text x="{_f(tx)}" y="{y + 12}" font-size="11" fill="{INK}" '
            f'text-anchor="{anchor}">{_signed(value)}</text>'
        )
    parts.append(
        f'<text x="{_f(zero)}" y="{height - 4}" font-size="11" fill="{MUTED}" '
        f'text-anchor="middle">{escape(unit)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def amount_bars(items: Sequence[tuple[str, Decimal, str]], *, title: str, chart_id: str) -> Markup:
    """One bar per item (label, dollars, note), in the order given: the bar's length is its
    share of the largest, the amount beside it, the note (a count, a reason's text) in its
    tooltip and in the chart's description. `chart_id` keeps several charts on one page
    apart for screen readers."""
    width, label_w, value_w = 560, 190, 90
    row_h = 24
    height = 12 + row_h * max(len(items), 1)
    biggest = max((v for _, v, _ in items), default=Decimal(1)) or Decimal(1)
    area = width - label_w - value_w
    desc = "; ".join(f"{label} {_money(v)}" + (f" ({note})" if note else "")
                     for label, v, note in items)  # fmt: skip
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value, note) in enumerate(items):
        y = 6 + i * row_h
        w = max(float(value / biggest) * area, 1.0) if value > 0 else 1.0
        tip = f"{label}: {_money(value)}" + (f" ({note})" if note else "")
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12" fill="{INK}">{escape(label[:28])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{_f(w)}" height="16" rx="2" fill="{ACCENT}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        parts.append(
            f'<text x="{_f(label_w + w + 6)}" y="{y + 13}" font-size="12" fill="{INK}">'
            f"{escape(_money(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
