"""The HTML report's charts as static, script-free inline SVG, drawn by matplotlib (the ``charts``
extra) and imported only when a report has dated posts to draw.

matplotlib writes SVG with text as ``<text>`` (``svg.fonttype='none'``: small, selectable) and
with ids from a fixed salt and no date, so the same findings give the same bytes. Its output is
then rebuilt element by element keeping only drawing: no script, style, metadata, link, image or
foreign object, no event attribute, no reference outside the SVG, so the report's CSP
(``default-src 'none'``) has nothing to block and a label cannot become markup. Colours are the
Okabe–Ito palette, told apart with every common colour-vision deficiency.
"""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from linkguard.report.chartdata import NO_OUTLET, OTHER, OTHER_OUTLETS, Timeline
from linkguard.report.sanitize import one_line

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe & Ito (2008), "Color Universal Design", without black; grey for the rest.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
REST_COLOUR = "#999999"
TECHNIQUE_COLOUR = "#0072B2"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
#: Drawing elements kept from matplotlib's output; everything else (script, style, metadata, a,
#: image, foreignObject, …) is dropped with its content.
_KEPT = frozenset(
    {"svg", "g", "defs", "clipPath", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
     "text", "tspan", "use", "title", "desc"}
)  # fmt: skip
_RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: small and selectable
    "svg.hashsalt": "linkguard",  # ids from a fixed salt: the same chart gives the same bytes
    "text.parse_math": False,  # an outlet called "$x$" is a name, not TeX
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "legend.frameon": False,
}


class ChartsUnavailable(Exception):
    """matplotlib is not installed (the ``charts`` extra): the report shows the tables alone."""


def outlet_colours(names: list[str]) -> dict[str, str]:
    """One colour per outlet in palette order; "other outlets" and "no outlet named" are grey."""
    colours: dict[str, str] = {}
    palette = iter(OKABE_ITO)
    for name in names:
        colours[name] = REST_COLOUR if name in (OTHER_OUTLETS, NO_OUTLET) else next(palette, REST_COLOUR)
    return colours


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _safe_attribute(name: str, value: str) -> bool:
    """No event handler, and every reference (``href``, ``url(…)``) inside the SVG itself."""
    local = _local(name).lower()
    if local.startswith("on"):
        return False
    if local == "href":
        return value.startswith("#")
    return "url(" not in value.replace(" ", "").lower().replace("url(#", "")


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if _local(child.tag) not in _KEPT:
            element.remove(child)
        else:
            _clean(child)
    for name in list(element.attrib):
        if not _safe_attribute(name, element.attrib[name]):
            del element.attrib[name]


def clean_svg(svg: str, title: str) -> str:
    """matplotlib's SVG document as one inline ``<svg>`` element holding only drawing (see module
    doc), scaled to its container, labelled ``title`` for screen readers."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)  # our own output; expat resolves no external entity or DTD
    _clean(root)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("class", "chart")
    root.set("role", "img")
    label = ET.Element(f"{{{SVG_NS}}}title")
    label.text = title
    root.insert(0, label)
    return ET.tostring(root, encoding="unicode")


def _figure(width: float, height: float) -> Figure:
    """A figure outside pyplot (no global figure list, no GUI backend); called inside ``_rc()``."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _render(figure: Figure, title: str) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return clean_svg(out.getvalue(), title)


#: matplotlib's settings are process-wide: one chart at a time (the web app renders in threads).
_LOCK = threading.Lock()


@contextmanager
def _rc() -> Iterator[None]:
    try:
        import matplotlib
    except ImportError as exc:
        raise ChartsUnavailable(str(exc)) from None
    with _LOCK, matplotlib.rc_context(_RC):
        yield


def timeline_svg(timeline: Timeline, colours: dict[str, str]) -> str:
    """Stacked bars: flagged posts per period, one colour per imitated outlet."""
    with _rc():
        from matplotlib.ticker import MaxNLocator

        figure = _figure(9.0, 2.8)
        axes = figure.subplots()
        positions = list(range(len(timeline.periods)))
        bottom = [0] * len(positions)
        for name, counts in timeline.series:
            axes.bar(
                positions,
                counts,
                bottom=bottom,
                width=0.85,
                color=colours[name],
                edgecolor="white",
                linewidth=0.4,
                label=one_line(name),
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        step = max(1, len(positions) // 10)
        ticks = positions[::step]
        axes.set_xticks(ticks, [timeline.label(timeline.periods[i]).removeprefix("week of ") for i in ticks])
        axes.tick_params(axis="x", labelrotation=30)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(f"flagged posts per {timeline.unit}")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="imitated outlet")
        return _render(figure, f"Flagged posts per {timeline.unit}, by imitated outlet")


def _bars(axes: Axes, items: list[tuple[str, int]], colours: list[str], title: str) -> None:
    labels = [one_line(name) for name, _ in items][::-1]  # largest at the top
    bars = axes.barh(labels, [n for _, n in items][::-1], color=colours[::-1], height=0.7)
    axes.bar_label(bars, padding=2)
    axes.set_title(title, loc="left", fontsize=10)
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)


def breakdown_svg(
    outlets: list[tuple[str, int]], techniques: list[tuple[str, int]], colours: dict[str, str]
) -> str:
    """Two bar charts side by side: flagged posts per imitated outlet, and per technique."""
    with _rc():
        rows = max(len(outlets), len(techniques), 1)
        figure = _figure(9.0, 0.9 + 0.28 * rows)
        left, right = figure.subplots(1, 2)
        outlet_colours = [colours.get(name, REST_COLOUR) for name, _ in outlets]
        _bars(left, outlets, outlet_colours, "Outlets imitated (flagged posts)")
        technique_colours = [REST_COLOUR if name == OTHER else TECHNIQUE_COLOUR for name, _ in techniques]
        _bars(right, techniques, technique_colours, "Techniques used (flagged posts)")
        return _render(figure, "Flagged posts per imitated outlet and per technique")
