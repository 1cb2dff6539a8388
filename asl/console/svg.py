"""The diagram as inline SVG, drawn on the server from `layout` (no script, no external asset).

Colours are CSS classes (`o-succeeded`, `o-failed`, ..., `taken`), styled by the console's
stylesheet, so the markup carries no inline style (the console's CSP forbids it). Every name and
label is escaped.
"""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup, escape

from asl.console.layout import Box, Layout, fit
from asl.console.runs import describe
from asl.graph import Graph

_LABEL_LIMIT = 30


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render(
    graph: Graph,
    placed: Layout,
    outcomes: dict[str, str] | None = None,
    counts: dict[str, Counter[str]] | None = None,
    taken: frozenset[int] = frozenset(),
) -> Markup:
    """An `<svg>` element: states coloured by `outcomes` (state name -> outcome), `taken` edges marked."""
    outcomes = outcomes or {}
    counts = counts or {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
        f'viewBox="0 0 {_n(placed.width)} {_n(placed.height)}" width="{_n(placed.width)}" '
        f'height="{_n(placed.height)}"><defs>',
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path class="arrowhead" d="M0,0 L10,5 L0,10 z"/></marker>',
        '<marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path class="arrowhead taken" d="M0,0 L10,5 L0,10 z"/></marker>',
        "</defs>",
    ]
    frames = sorted((b for b in placed.boxes.values() if b.frame), key=lambda b: b.w * b.h, reverse=True)
    for box in frames:
        parts.append(_node(graph, box, outcomes, counts))
    for panel in placed.panels:
        parts.append(
            f'<g class="panel"><rect x="{_n(panel.x)}" y="{_n(panel.y)}" width="{_n(panel.w)}" '
            f'height="{_n(panel.h)}" rx="6"/><text x="{_n(panel.x + 8)}" y="{_n(panel.y + 14)}">'
            f"{escape(panel.label)}</text></g>"
        )
    labels: list[str] = []
    for route in placed.routes:
        edge = graph.edges[route.index]
        classes = ["edge", edge.kind]
        if route.index in taken:
            classes.append("taken")
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in route.points)
        marker = "arrow-taken" if route.index in taken else "arrow"
        parts.append(f'<polyline class="{" ".join(classes)}" points="{points}" marker-end="url(#{marker})"/>')
        if edge.label:
            labels.append(_edge_label(edge.label, route.points, route.loop))
    for box in placed.boxes.values():
        if not box.frame:
            parts.append(_node(graph, box, outcomes, counts))
    parts.extend(labels)
    parts.append("</svg>")
    return Markup("".join(parts))


def _node(graph: Graph, box: Box, outcomes: dict[str, str], counts: dict[str, Counter[str]]) -> str:
    node = graph.nodes[box.id]
    if node.kind in ("start", "end"):
        r = box.w / 2
        inner = (
            f'<circle cx="{_n(box.cx)}" cy="{_n(box.y + r)}" r="{_n(r - 4)}"/>' if node.kind == "end" else ""
        )
        return (
            f'<g class="mark {node.kind}"><circle cx="{_n(box.cx)}" cy="{_n(box.y + r)}" r="{_n(r)}"/>'
            f"{inner}<title>{node.kind}</title></g>"
        )
    name = node.label
    outcome = outcomes.get(name, "")
    tip = f"{name} ({node.kind})"
    if name in counts:
        tip += f": {describe(counts[name])}"
    classes = f"node t-{node.kind}" + (f" o-{outcome}" if outcome else "")
    head = f'<g class="{classes}" data-state="{escape(name)}" tabindex="0"><title>{escape(tip)}</title>'
    if box.frame:
        return (
            head + f'<rect class="shape" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" '
            f'height="{_n(box.h)}" rx="8"/><text class="label" x="{_n(box.x + 10)}" y="{_n(box.y + 18)}">'
            f'{escape(fit(name))} <tspan class="kind">{escape(node.kind)}</tspan></text></g>'
        )
    return (
        head
        + _shape(node.kind, box)
        + (
            f'<text class="label" x="{_n(box.cx)}" y="{_n(box.y + box.h / 2 + 4)}" text-anchor="middle">'
            f"{escape(fit(name))}</text></g>"
        )
    )


def _shape(kind: str, box: Box) -> str:
    x, y, w, h = box.x, box.y, box.w, box.h
    if kind == "Choice":
        points = [
            (x, y + h / 2),
            (x + 12, y),
            (x + w - 12, y),
            (x + w, y + h / 2),
            (x + w - 12, y + h),
            (x + 12, y + h),
        ]
        return f'<polygon class="shape" points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in points)}"/>'
    if kind == "Wait":
        c = 8.0
        points = [(x + c, y), (x + w - c, y), (x + w, y + c), (x + w, y + h - c), (x + w - c, y + h),
                  (x + c, y + h), (x, y + h - c), (x, y + c)]  # fmt: skip
        return f'<polygon class="shape" points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in points)}"/>'
    radius = {"Pass": 12.0, "Succeed": h / 2, "Fail": h / 2}.get(kind, 4.0)
    rect = f'<rect class="shape" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="{_n(radius)}"/>'
    if kind == "Fail":
        rect += (
            f'<rect class="inner" x="{_n(x + 3)}" y="{_n(y + 3)}" width="{_n(w - 6)}" height="{_n(h - 6)}" '
            f'rx="{_n(radius - 3)}"/>'
        )
    return rect


def _edge_label(label: str, points: list[tuple[float, float]], loop: bool) -> str:
    (x1, y1), (x2, y2) = (points[1], points[2]) if loop else (points[0], points[1])
    t = 0.5 if loop else 0.4
    x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
    text = label if len(label) <= _LABEL_LIMIT else label[: _LABEL_LIMIT - 1] + "…"
    width = len(text) * 5.8 + 8
    return (
        f'<g class="edge-label"><title>{escape(label)}</title><rect x="{_n(x - width / 2)}" y="{_n(y - 8)}" '
        f'width="{_n(width)}" height="14" rx="3"/><text x="{_n(x)}" y="{_n(y + 3)}" text-anchor="middle">'
        f"{escape(text)}</text></g>"
    )
