"""A layered layout of `asl.graph`'s diagram model, in pure Python (no Graphviz needed).

Each machine (the top level, a Parallel branch, a Map's processor) is laid out on its own, top to
bottom, as a small Sugiyama layout: edges that close a loop are set aside, every state gets the
layer after its deepest predecessor, long edges pass through bend points, a few barycenter sweeps
order each layer, and states are centred over their neighbours. A Parallel or Map state is a box
that holds the layouts of its branches (side by side) or its processor, so nesting costs nothing
special. Loop edges run up along the right side. Sizes come from the label's length (7 px a
character): the browser draws the text, the layout only needs to leave room for it.

The work is bounded. Long edges cost a bend point per layer they cross (a Catch from each of 200
chained states to one handler needs 20,000; 150 states each catching into every other, millions):
past `MAX_BENDS` in all, long edges run along the side as loop edges do. Past `MAX_EDGES`
transitions the diagram shows the states alone, each machine's layers packed in rows
(`Detail.STATES`), and past `MAX_NODES` states nothing (`Detail.NONE`). Either way the drawing
stays under a megabyte and takes well under a second.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum

from asl.graph import Cluster, Edge, Graph

CHAR = 7.0
NODE_H = 34.0
MARK = 18.0
MIN_W, MAX_W = 96.0, 236.0
GAP_X, GAP_Y = 28.0, 36.0
PAD = 14.0
HEADER = 28.0
LOOP_GAP = 16.0
SWEEPS = 6
#: Past this many nodes a diagram is not drawn; past this many edges, its states only.
MAX_NODES = 1000
MAX_EDGES = 2500
#: The bend points a whole layout may place; past them, long edges run along the side.
MAX_BENDS = 4000
#: How wide a row of states gets before it wraps, when transitions are left out.
ROW_WIDTH = 1_200.0


class Detail(StrEnum):
    """How much of a diagram was drawn."""

    FULL = "full"
    STATES = "states"
    NONE = "none"


@dataclass
class Box:
    """A node placed: top-left corner and size; `frame` when it holds branches (Parallel, Map)."""

    id: str
    x: float
    y: float
    w: float
    h: float
    frame: bool = False

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return self.x + self.w / 2


@dataclass
class Panel:
    """A Parallel branch or a Map processor: a dashed rectangle with a caption."""

    label: str
    x: float
    y: float
    w: float
    h: float


@dataclass
class Route:
    """An edge placed: its index in `graph.edges` and the points of its polyline."""

    index: int
    points: list[tuple[float, float]]
    loop: bool = False


@dataclass
class Layout:
    """A whole diagram placed: size, boxes by node id, panels, routes."""

    width: float = 0.0
    height: float = 0.0
    boxes: dict[str, Box] = field(default_factory=dict)
    panels: list[Panel] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    detail: Detail = Detail.FULL

    def shift(self, dx: float, dy: float) -> None:
        """Move everything by (dx, dy)."""
        for box in self.boxes.values():
            box.x += dx
            box.y += dy
        for panel in self.panels:
            panel.x += dx
            panel.y += dy
        for route in self.routes:
            route.points = [(x + dx, y + dy) for x, y in route.points]

    def absorb(self, other: Layout, dx: float, dy: float) -> None:
        """Take in another layout, moved by (dx, dy)."""
        other.shift(dx, dy)
        self.boxes.update(other.boxes)
        self.panels.extend(other.panels)
        self.routes.extend(other.routes)


def node_width(label: str) -> float:
    """The width a state's box gets for its label (long labels are cut, see `fit`)."""
    return max(MIN_W, min(MAX_W, len(label) * CHAR + 28))


def fit(label: str) -> str:
    """The label cut to what its box holds."""
    limit = int((MAX_W - 28) / CHAR)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def layout(graph: Graph) -> Layout:
    """Place every node, branch panel and edge of `graph` (only its states, or nothing, when too big)."""
    if len(graph.nodes) > MAX_NODES:
        return Layout(detail=Detail.NONE)
    by_scope: dict[str, list[int]] = {}
    scope_of = _scopes(graph.members, "", {})
    for index, edge in enumerate(graph.edges):
        if edge.kind != "branch":
            by_scope.setdefault(scope_of.get(edge.source, ""), []).append(index)
    full = len(graph.edges) <= MAX_EDGES
    placed = _Placer(graph, by_scope, [MAX_BENDS] if full else None).machine(graph.members, "")
    placed.detail = Detail.FULL if full else Detail.STATES
    placed.shift(PAD, PAD)
    placed.width += 2 * PAD
    placed.height += 2 * PAD
    return placed


def _scopes(members: tuple[str | Cluster, ...], scope: str, found: dict[str, str]) -> dict[str, str]:
    for member in members:
        if isinstance(member, Cluster):
            inner = [m for m in member.members if isinstance(m, Cluster)]
            if inner and len(inner) == len(member.members):  # a Parallel: its branches
                for branch in inner:
                    _scopes(branch.members, branch.id, found)
            else:
                _scopes(member.members, member.id, found)
        else:
            found[member] = scope
    return found


@dataclass
class _Placer:
    graph: Graph
    by_scope: dict[str, list[int]]
    #: Bend points left to place (see MAX_BENDS); None: place the states only.
    bends: list[int] | None

    def machine(self, members: tuple[str | Cluster, ...], scope: str) -> Layout:
        nodes: list[str] = []
        inner: dict[str, Layout] = {}
        for member in members:
            if isinstance(member, Cluster):
                inner[nodes[-1]] = self.container(member)
            else:
                nodes.append(member)
        sizes = {node: self.size(node, inner.get(node)) for node in nodes}
        edges = [(i, self.graph.edges[i]) for i in self.by_scope.get(scope, [])]
        placed = self.layered(nodes, sizes, edges)
        for node, content in inner.items():
            box = placed.boxes[node]
            box.frame = True
            placed.absorb(content, box.x + PAD, box.y + HEADER)
        return placed

    def size(self, node: str, content: Layout | None) -> tuple[float, float]:
        kind = self.graph.nodes[node].kind
        if kind in ("start", "end"):
            return MARK, MARK
        width = node_width(self.graph.nodes[node].label)
        if content is None:
            return width, NODE_H
        return max(width, content.width + 2 * PAD), content.height + HEADER + PAD

    def container(self, cluster: Cluster) -> Layout:
        branches = [m for m in cluster.members if isinstance(m, Cluster)]
        if not branches or len(branches) != len(cluster.members):  # a Map's processor
            return self.panel(cluster, cluster.id, "Iteration")
        combined = Layout()
        x = 0.0
        for branch in branches:
            part = self.panel(branch, branch.id, branch.label)
            combined.width = x + part.width
            combined.height = max(combined.height, part.height)
            combined.absorb(part, x, 0)
            x += part.width + GAP_X / 2
        return combined

    def panel(self, cluster: Cluster, scope: str, label: str) -> Layout:
        content = self.machine(cluster.members, scope)
        placed = Layout(content.width + 2 * PAD, content.height + 2 * PAD + 10)
        placed.panels.append(Panel(label, 0, 0, placed.width, placed.height))
        placed.absorb(content, PAD, PAD + 10)
        return placed

    def layered(
        self, nodes: list[str], sizes: dict[str, tuple[float, float]], edges: list[tuple[int, Edge]]
    ) -> Layout:
        """One machine's layout (its states only when `bends` is None)."""
        known = set(nodes)
        edges = [(i, e) for i, e in edges if e.source in known and e.target in known]
        forward, loops = _split(nodes, edges)
        layer = _layers(nodes, forward)
        ends = [n for n in nodes if n.startswith("n_end")]
        if ends:
            bottom = max((layer[n] for n in nodes if n not in ends), default=-1) + 1
            for n in ends:
                layer[n] = bottom
        if self.bends is None:
            return _stacked(nodes, sizes, layer)
        needed = sum(layer[e.target] - layer[e.source] - 1 for _, e in forward)
        if needed <= self.bends[0]:
            self.bends[0] -= needed
        else:  # too many bend points to place in time: long edges go along the side, as loops do
            loops = loops + [(i, e) for i, e in forward if layer[e.target] - layer[e.source] > 1]
            forward = [(i, e) for i, e in forward if layer[e.target] - layer[e.source] <= 1]
        return _layered(nodes, sizes, forward, loops, layer)


def _stacked(nodes: list[str], sizes: dict[str, tuple[float, float]], layer: dict[str, int]) -> Layout:
    """The states alone, layer under layer, a layer wrapping into rows `ROW_WIDTH` wide, centred."""
    by_depth: dict[int, list[str]] = {}
    for n in nodes:
        by_depth.setdefault(layer[n], []).append(n)
    rows: list[list[str]] = []
    for depth in sorted(by_depth):
        row: list[str] = []
        used = 0.0
        for n in by_depth[depth]:
            if row and used + sizes[n][0] > ROW_WIDTH:
                rows.append(row)
                row, used = [], 0.0
            row.append(n)
            used += sizes[n][0] + GAP_X
        rows.append(row)
    spans = [sum(sizes[n][0] for n in row) + GAP_X * (len(row) - 1) for row in rows]
    placed = Layout(width=max(spans, default=0.0))
    y = 0.0
    for row, span in zip(rows, spans, strict=True):
        height = max(sizes[n][1] for n in row)
        x = (placed.width - span) / 2
        for n in row:
            w, h = sizes[n]
            placed.boxes[n] = Box(n, x, y + (height - h) / 2, w, h)
            x += w + GAP_X
        y += height + GAP_Y
    placed.height = max(y - GAP_Y, 0.0)
    return placed


def _layered(
    nodes: list[str],
    sizes: dict[str, tuple[float, float]],
    forward: list[tuple[int, Edge]],
    loops: list[tuple[int, Edge]],
    layer: dict[str, int],
) -> Layout:
    # Long edges pass through bend points ("dummies"), one per layer crossed.
    chains: dict[int, list[str]] = {}
    widths = dict(sizes)
    rows: dict[int, list[str]] = {}
    for n in nodes:
        rows.setdefault(layer[n], []).append(n)
    links: list[tuple[str, str]] = []
    for index, edge in forward:
        chain = [edge.source]
        for step in range(layer[edge.source] + 1, layer[edge.target]):
            dummy = f"#{index}.{step}"
            layer[dummy] = step
            widths[dummy] = (8.0, 0.0)
            rows.setdefault(step, []).append(dummy)
            chain.append(dummy)
        chain.append(edge.target)
        chains[index] = chain
        links.extend(itertools.pairwise(chain))
    order = [rows[i] for i in sorted(rows)]
    _order(order, links)
    x = _positions(order, links, widths)
    placed = Layout()
    y = 0.0
    top: dict[str, float] = {}
    for row in order:
        height = max(widths[n][1] for n in row) or 0.0
        for n in row:
            w, h = widths[n]
            top[n] = y + (height - h) / 2
            if not n.startswith("#"):
                placed.boxes[n] = Box(n, x[n] - w / 2, top[n], w, h)
        y += height + GAP_Y
    left = min((x[n] - widths[n][0] / 2 for n in x), default=0.0)
    right = max((x[n] + widths[n][0] / 2 for n in x), default=0.0)
    placed.height = max(y - GAP_Y, 0.0)
    for index, chain in chains.items():
        placed.routes.append(Route(index, _path(chain, placed.boxes, x, top, widths)))
    _fan(placed.routes, placed.boxes, chains)
    loop_x = right + LOOP_GAP
    for index, edge in loops:
        source, target = placed.boxes[edge.source], placed.boxes[edge.target]
        xs, ys = source.x + source.w, source.y + source.h / 2
        xt, yt = target.x + target.w, target.y + target.h / 2
        placed.routes.append(Route(index, [(xs, ys), (loop_x, ys), (loop_x, yt), (xt, yt)], loop=True))
        loop_x += LOOP_GAP / 2
    placed.width = (loop_x if loops else right) - left
    placed.shift(-left, 0)
    return placed


def _split(
    nodes: list[str], edges: list[tuple[int, Edge]]
) -> tuple[list[tuple[int, Edge]], list[tuple[int, Edge]]]:
    """Forward edges, and those that close a loop (found by a depth-first walk from the top)."""
    out: dict[str, list[tuple[int, Edge]]] = {}
    for index, edge in edges:
        out.setdefault(edge.source, []).append((index, edge))
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    loops: set[int] = set()
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(out.get(root, [])))]
        state[root] = 1
        while stack:
            node, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            index, edge = step
            seen = state.get(edge.target)
            if seen == 1:
                loops.add(index)
            elif seen is None:
                state[edge.target] = 1
                stack.append((edge.target, iter(out.get(edge.target, []))))
    forward = [(i, e) for i, e in edges if i not in loops]
    return forward, [(i, e) for i, e in edges if i in loops]


def _layers(nodes: list[str], forward: list[tuple[int, Edge]]) -> dict[str, int]:
    """Longest path from the top: each node one layer below its deepest predecessor."""
    incoming: dict[str, list[str]] = {n: [] for n in nodes}
    outgoing: dict[str, list[str]] = {n: [] for n in nodes}
    for _, edge in forward:
        incoming[edge.target].append(edge.source)
        outgoing[edge.source].append(edge.target)
    remaining = {n: len(incoming[n]) for n in nodes}
    ready = [n for n in nodes if remaining[n] == 0]
    layer = dict.fromkeys(nodes, 0)
    while ready:
        node = ready.pop(0)
        for target in outgoing[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            remaining[target] -= 1
            if remaining[target] == 0:
                ready.append(target)
    return layer


def _order(order: list[list[str]], links: list[tuple[str, str]]) -> None:
    """Barycenter sweeps: each node moves towards the mean position of its neighbours."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for a, b in links:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)
    for sweep in range(SWEEPS):
        rows = range(1, len(order)) if sweep % 2 == 0 else range(len(order) - 2, -1, -1)
        neighbours = up if sweep % 2 == 0 else down
        for r in rows:
            other = order[r - 1] if sweep % 2 == 0 else order[r + 1]
            where = {n: i for i, n in enumerate(other)}
            current = {n: i for i, n in enumerate(order[r])}

            order[r].sort(key=lambda n: _barycenter(neighbours.get(n, []), where, current[n]))


def _barycenter(neighbours: list[str], where: dict[str, int], own: int) -> float:
    seen = [where[m] for m in neighbours if m in where]
    return sum(seen) / len(seen) if seen else float(own)


def _positions(
    order: list[list[str]], links: list[tuple[str, str]], widths: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """Centres: each layer packed, then pulled towards its neighbours' centres without overlapping."""
    x: dict[str, float] = {}
    for row in order:
        cursor = 0.0
        for n in row:
            x[n] = cursor + widths[n][0] / 2
            cursor += widths[n][0] + GAP_X
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for a, b in links:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)
    for sweep in range(2 * SWEEPS):
        neighbours = up if sweep % 2 == 0 else down
        rows = order if sweep % 2 == 0 else list(reversed(order))
        for row in rows:
            wanted = [
                sum(x[m] for m in neighbours[n]) / len(neighbours[n]) if neighbours.get(n) else x[n]
                for n in row
            ]
            x.update(zip(row, _spread(row, wanted, widths), strict=True))
    return x


def _spread(row: list[str], wanted: list[float], widths: dict[str, tuple[float, float]]) -> list[float]:
    """The closest placement to `wanted` keeping order and gaps: the mean of a left and a right push."""
    gaps = [(widths[a][0] + widths[b][0]) / 2 + GAP_X for a, b in itertools.pairwise(row)]
    pushed_right = list(wanted)
    for i in range(1, len(row)):
        pushed_right[i] = max(pushed_right[i], pushed_right[i - 1] + gaps[i - 1])
    pushed_left = list(wanted)
    for i in range(len(row) - 2, -1, -1):
        pushed_left[i] = min(pushed_left[i], pushed_left[i + 1] - gaps[i])
    return [(a + b) / 2 for a, b in zip(pushed_right, pushed_left, strict=True)]


def _fan(routes: list[Route], boxes: dict[str, Box], chains: dict[int, list[str]]) -> None:
    """Spread the ends of edges that leave (or reach) the same box, so each can be told apart."""
    for end, near in ((0, 1), (-1, -2)):
        groups: dict[str, list[Route]] = {}
        for route in routes:
            groups.setdefault(chains[route.index][end], []).append(route)
        for node, group in groups.items():
            if len(group) < 2:
                continue
            box = boxes[node]
            group.sort(key=lambda route: route.points[near][0])
            step = min(16.0, box.w / (len(group) + 1))
            for k, route in enumerate(group):
                px, py = route.points[end]
                route.points[end] = (px + (k - (len(group) - 1) / 2) * step, py)


def _path(
    chain: list[str],
    boxes: dict[str, Box],
    x: dict[str, float],
    top: dict[str, float],
    widths: dict[str, tuple[float, float]],
) -> list[tuple[float, float]]:
    source, target = boxes[chain[0]], boxes[chain[-1]]
    points = [(source.cx, source.y + source.h)]
    points += [(x[d], top[d]) for d in chain[1:-1]]
    points.append((target.cx, target.y))
    return points
