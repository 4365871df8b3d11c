"""Charts drawn on the server as SVG: no script, no library, readable without colour alone (every figure
is also written as text), and the same in every browser."""

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..core.text import to_persian_digits

# Where each province sits on the tile map: (column west→east, row north→south), close to the real map.
TILES = {
    "04": (0, 0),
    "03": (1, 0),
    "24": (2, 0),
    "12": (0, 1),
    "19": (1, 1),
    "01": (2, 1),
    "02": (3, 1),
    "27": (4, 1),
    "28": (5, 1),
    "05": (0, 2),
    "13": (1, 2),
    "26": (2, 2),
    "30": (3, 2),
    "23": (4, 2),
    "20": (5, 2),
    "09": (6, 2),
    "16": (0, 3),
    "15": (1, 3),
    "00": (2, 3),
    "25": (3, 3),
    "10": (4, 3),
    "21": (5, 3),
    "29": (6, 3),
    "06": (1, 4),
    "14": (2, 4),
    "17": (3, 4),
    "08": (5, 4),
    "11": (6, 4),
    "18": (2, 5),
    "07": (3, 5),
    "22": (4, 5),
}
# Five light-to-dark blues; dark text stays above 4.5:1 on every one of them (WCAG AA).
SHADES = ("#f1f5fb", "#d4e3f3", "#b3cde9", "#94badf", "#79a8d6")
TILE_W, TILE_H = 92, 58


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    value: float | None


def tile_map(tiles: list[Tile], title: str) -> Markup:
    """Provinces as tiles shaded by value in five equal-count classes; hidden or missing values unshaded."""
    known = sorted(tile.value for tile in tiles if tile.value is not None)
    breaks = [known[len(known) * step // 5] for step in range(1, 5)] if known else []
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {7 * TILE_W} {6 * TILE_H}" class="map">']
    for tile in tiles:
        if tile.code not in TILES:
            continue
        column, row = TILES[tile.code]
        x, y = column * TILE_W, row * TILE_H
        shade = "#ffffff" if tile.value is None else SHADES[sum(tile.value >= b for b in breaks)]
        shown = "—" if tile.value is None else to_persian_digits(f"{tile.value:,.1f}")
        name = escape(tile.name)
        parts.append(
            f'<g><title>{name}: {shown}</title><rect x="{x + 2}" y="{y + 2}" width="{TILE_W - 4}" '
            f'height="{TILE_H - 4}" rx="6" fill="{shade}" stroke="#767676"/>'
            f'<text x="{x + TILE_W / 2}" y="{y + 24}" text-anchor="middle" font-size="11">{name}</text>'
            f'<text x="{x + TILE_W / 2}" y="{y + 44}" text-anchor="middle" font-size="13" '
            f'font-weight="bold">{shown}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it was escaped above)


def bar_chart(labels: list[str], values: list[float | None], title: str) -> Markup:
    """Bars per period, right to left as Persian reads; a hidden value leaves a gap marked with a dash."""
    width, height, top, bottom = 720, 260, 20, 60
    step = width / max(len(values), 1)
    highest = max((v for v in values if v is not None), default=0) or 1
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" class="chart">',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#767676"/>',
    ]
    for index, (raw_label, value) in enumerate(zip(labels, values, strict=True)):
        label = escape(raw_label)
        x = width - (index + 1) * step  # the first period on the right
        bar = 0 if value is None else (height - top - bottom) * value / highest
        text = "—" if value is None else to_persian_digits(f"{value:,.0f}")
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{height - bottom - bar:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="#0b5394"><title>{label}: {text}</title></rect>'
            f'<text x="{x + step / 2:.1f}" y="{height - bottom - bar - 4:.1f}" text-anchor="middle" '
            f'font-size="11">{text}</text>'
            f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="end" font-size="11" '
            f'transform="rotate(-45 {x + step / 2:.1f} {height - bottom + 16})">{label}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it was escaped above)
