"""The console's diagram: a layout without overlaps, every edge drawn, nesting kept, SVG escaped, work bounded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl.console import layout as layout_module
from asl.console.layout import Box, Detail, Layout, layout
from asl.console.svg import render
from asl.graph import Cluster, Graph, build_graph
from asl.parse import load_definition
from tests.console.shapes import dense

REPO = Path(__file__).resolve().parents[3]


def _definition(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) and "StartAt" in data and "States" in data else None


DEFINITIONS: dict[str, dict[str, Any]] = {
    f"sample {path.parent.name}/{path.name}": found
    for path in sorted((REPO / "samples").glob("*/*.json"))
    if (found := _definition(path)) is not None
}
LOOP = {
    "StartAt": "Poll",
    "States": {
        "Poll": {"Type": "Pass", "Next": "Done?"},
        "Done?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Finish"}],
            "Default": "Wait a bit",
        },
        "Wait a bit": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
        "Finish": {"Type": "Succeed"},
    },
}
NESTED = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Both",
                "States": {
                    "Both": {
                        "Type": "Parallel",
                        "Branches": [
                            {
                                "StartAt": "L1",
                                "States": {
                                    "L1": {"Type": "Pass", "Next": "L2"},
                                    "L2": {"Type": "Pass", "End": True},
                                },
                            },
                            {"StartAt": "R1", "States": {"R1": {"Type": "Pass", "End": True}}},
                        ],
                        "End": True,
                    }
                },
            },
            "Next": "After",
        },
        "After": {"Type": "Succeed"},
    },
}
DEFINITIONS.update({"loop": LOOP, "nested": NESTED})


def graph_of(definition: dict[str, Any]) -> Graph:
    return build_graph(load_definition(definition))


def overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def inside(inner: Box, outer: Box) -> bool:
    return (
        outer.x <= inner.x
        and inner.x + inner.w <= outer.x + outer.w
        and outer.y <= inner.y
        and inner.y + inner.h <= outer.y + outer.h
    )


def contents(members: tuple[str | Cluster, ...]) -> list[str]:
    found: list[str] = []
    for member in members:
        found.extend(contents(member.members) if isinstance(member, Cluster) else [member])
    return found


def owners(graph: Graph) -> dict[str, list[str]]:
    """Parallel/Map node id -> the node ids drawn inside it."""
    found: dict[str, list[str]] = {}

    def walk(members: tuple[str | Cluster, ...]) -> None:
        previous = ""
        for member in members:
            if isinstance(member, Cluster):
                if previous:  # a Parallel's or Map's content (a Parallel's branches have no owner)
                    found[previous] = contents(member.members)
                walk(member.members)
            else:
                previous = member

    walk(graph.members)
    return found


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_node_is_placed_without_overlapping_another(name: str) -> None:
    graph = graph_of(DEFINITIONS[name])
    placed = layout(graph)
    assert set(placed.boxes) == set(graph.nodes)
    nested = owners(graph)
    boxes = list(placed.boxes.values())
    for i, a in enumerate(boxes):
        assert a.x >= 0
        assert a.x + a.w <= placed.width
        assert a.y >= 0
        assert a.y + a.h <= placed.height
        for b in boxes[i + 1 :]:
            related = b.id in nested.get(a.id, []) or a.id in nested.get(b.id, [])
            assert related or not overlap(a, b), f"{a.id} overlaps {b.id}"


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_parallel_and_map_boxes_hold_their_states(name: str) -> None:
    graph = graph_of(DEFINITIONS[name])
    placed = layout(graph)
    for owner, members in owners(graph).items():
        assert placed.boxes[owner].frame
        for member in members:
            assert inside(placed.boxes[member], placed.boxes[owner]), f"{member} outside {owner}"


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_transition_is_drawn_from_its_source_to_its_target(name: str) -> None:
    graph = graph_of(DEFINITIONS[name])
    placed = layout(graph)
    drawn = {route.index: route for route in placed.routes}
    for index, edge in enumerate(graph.edges):
        if edge.kind == "branch":
            continue  # drawn as nesting: the branch sits inside its Parallel or Map box
        route = drawn[index]
        source, target = placed.boxes[edge.source], placed.boxes[edge.target]
        (x0, y0), (x1, y1) = route.points[0], route.points[-1]
        assert source.x - 0.01 <= x0 <= source.x + source.w + 0.01
        assert source.y - 0.01 <= y0 <= source.y + source.h + 0.01
        assert target.x - 0.01 <= x1 <= target.x + target.w + 0.01
        assert target.y - 0.01 <= y1 <= target.y + target.h + 0.01


def test_states_flow_downwards_and_a_loop_returns_along_the_right() -> None:
    graph = graph_of(LOOP)
    placed = layout(graph)
    ids = graph.state_ids
    ys = [placed.boxes[ids[name]].y for name in ("Poll", "Done?", "Wait a bit")]
    assert ys == sorted(ys)
    assert len(set(ys)) == 3
    loops = [r for r in placed.routes if r.loop]
    assert len(loops) == 1
    back = graph.edges[loops[0].index]
    assert (back.source, back.target) == (ids["Wait a bit"], ids["Poll"])
    rightmost = max(b.x + b.w for b in placed.boxes.values())
    assert all(x > rightmost for x, _ in loops[0].points[1:3])


def test_branches_sit_side_by_side() -> None:
    placed = layout(graph_of(NESTED))
    graph = graph_of(NESTED)
    left, right = placed.boxes[graph.state_ids["L1"]], placed.boxes[graph.state_ids["R1"]]
    assert left.y == right.y
    assert left.x + left.w < right.x
    assert [p.label for p in placed.panels] == ["Iteration", "Branch 1", "Branch 2"]


HOSTILE = {
    "StartAt": "<script>alert(1)</script>",
    "States": {
        "<script>alert(1)</script>": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "StringEquals": '"><img src=x onerror=alert(2)>', "Next": "a&b"}],
            "Default": "a&b",
        },
        "a&b": {"Type": "Succeed"},
    },
}


def test_svg_escapes_names_and_labels() -> None:
    graph = graph_of(HOSTILE)
    svg = str(render(graph, layout(graph), {"a&b": "succeeded"}))
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert 'data-state="a&amp;b"' in svg
    assert "o-succeeded" in svg


def test_svg_marks_outcomes_and_taken_edges() -> None:
    graph = graph_of(LOOP)
    placed: Layout = layout(graph)
    taken = frozenset({0})
    svg = str(render(graph, placed, {"Poll": "retried", "Done?": "running"}, taken=taken))
    assert 'class="node t-Pass o-retried"' in svg
    assert 'class="node t-Choice o-running"' in svg
    assert svg.count('class="edge start taken"') == 1
    assert 'class="node t-Wait"' in svg  # not visited: no outcome class


def dense_graph(states: int, nested: bool = False) -> Graph:
    """QA's dense definition, alone or as a Parallel branch beside a small loop."""
    machine = dense(states)
    if nested:
        machine = {
            "StartAt": "Both",
            "States": {
                "Both": {"Type": "Parallel", "Branches": [machine, LOOP], "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        }
    return graph_of(machine)


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_small_diagrams_are_drawn_in_full(name: str) -> None:
    assert layout(graph_of(DEFINITIONS[name])).detail is Detail.FULL


@pytest.fixture
def ordered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The work of each ordering pass (nodes and bend points in rows, links between them)."""
    found: list[int] = []
    real_order = layout_module._order

    def counted(order: list[list[str]], links: list[tuple[str, str]]) -> None:
        found.append(sum(len(row) for row in order) + len(links))
        real_order(order, links)

    monkeypatch.setattr(layout_module, "_order", counted)
    return found


@pytest.mark.parametrize("nested", [False, True])
def test_a_dense_diagram_falls_back_to_its_states(nested: bool, ordered: list[int]) -> None:
    graph = dense_graph(150, nested)
    placed = layout(graph)
    assert placed.detail is Detail.STATES
    assert placed.routes == []  # the transitions are left out ...
    assert set(placed.boxes) == set(graph.nodes)  # ... every state is placed
    assert ordered == []  # nothing was ordered: the costly part never ran
    boxes = list(placed.boxes.values())
    nested_in = owners(graph)
    for i, a in enumerate(boxes):
        assert a.x >= 0
        assert a.x + a.w <= placed.width
        for b in boxes[i + 1 :]:
            related = b.id in nested_in.get(a.id, []) or a.id in nested_in.get(b.id, [])
            assert related or not overlap(a, b), f"{a.id} overlaps {b.id}"
    assert len(render(graph, placed)) < 100_000


@pytest.mark.parametrize("states", [20, 49])
def test_a_diagram_within_the_limits_is_drawn_in_full_with_bounded_work(
    states: int, ordered: list[int]
) -> None:
    graph = dense_graph(states)  # 49 states: 2,402 transitions, and bend points past MAX_BENDS
    placed = layout(graph)
    assert placed.detail is Detail.FULL
    assert len(placed.routes) == len(graph.edges)
    bound = layout_module.MAX_NODES + layout_module.MAX_EDGES + 2 * layout_module.MAX_BENDS
    assert sum(ordered) <= bound


def test_too_many_states_are_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout_module, "MAX_NODES", 10)
    placed = layout(dense_graph(12))
    assert placed.detail is Detail.NONE
    assert placed.boxes == {}


def test_the_readme_states_the_layouts_bounds() -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"past {layout_module.MAX_BENDS:,} bend points long edges run along the side" in readme
    assert f"past {layout_module.MAX_EDGES:,} transitions it shows its states only" in readme
    assert f"past {layout_module.MAX_NODES:,} states there is no diagram" in readme
