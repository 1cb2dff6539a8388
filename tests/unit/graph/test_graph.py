"""asl.graph: the diagram model, Mermaid and DOT text, quoting, and execution path highlighting."""

from __future__ import annotations

import re
from typing import Any

import pytest

from asl import StateMachine, TaskFailed, TaskRegistry
from asl.errors import InputError
from asl.graph import (
    Graph,
    build_graph,
    describe_rule,
    execution_path,
    history_events,
    to_dot,
    to_mermaid,
)
from asl.parse import load_definition

SDK = "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminGetUser"

ORDER: dict[str, Any] = {
    "StartAt": "Prepare order",
    "States": {
        "Prepare order": {"Type": "Pass", "Next": "Route?"},
        "Route?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.kind", "StringEquals": "bulk", "Next": "Each item"},
                {
                    "And": [
                        {"Variable": "$.total", "NumericGreaterThan": 100},
                        {"Variable": "$.vip", "BooleanEquals": True},
                    ],
                    "Next": "Both sides",
                },
            ],
            "Default": "Reject",
        },
        "Each item": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Charge",
                "States": {"Charge": {"Type": "Task", "Resource": SDK, "End": True}},
            },
            "Catch": [{"ErrorEquals": ["Card.Declined", "States.Timeout"], "Next": "Refund"}],
            "Next": "Done",
        },
        "Both sides": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Right",
                    "States": {
                        "Right": {"Type": "Wait", "Seconds": 1, "Next": "Right done"},
                        "Right done": {"Type": "Succeed"},
                    },
                },
            ],
            "Next": "Done",
        },
        "Refund": {"Type": "Pass", "Next": "Reject"},
        "Reject": {"Type": "Fail", "Error": "Rejected"},
        "Done": {"Type": "Succeed"},
    },
}


def graph_of(definition: dict[str, Any]) -> Graph:
    return build_graph(load_definition(definition))


def node_id(graph: Graph, name: str) -> str:
    return graph.state_ids[name]


def edge_indices(graph: Graph, source: str, target: str) -> list[int]:
    """Edges between two states (a name, or a marker id such as n_start)."""
    src = graph.state_ids.get(source, source)
    dst = graph.state_ids.get(target, target)
    return [i for i, e in enumerate(graph.edges) if (e.source, e.target) == (src, dst)]


def run_order(data: dict[str, Any], fail: bool) -> Any:
    async def charge(payload: Any, ctx: Any) -> Any:
        if fail:
            raise TaskFailed("Card.Declined", "no funds")
        return {"charged": True}

    registry = TaskRegistry()
    registry.register(SDK, charge)
    return StateMachine(ORDER, registry=registry).run_sync(data)


# -- the model and its text ------------------------------------------------------------------------


def test_mermaid_has_nodes_shapes_subgraphs_and_labelled_edges() -> None:
    text = to_mermaid(graph_of(ORDER))
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "flowchart TD"
    for expected in [
        'n_start(("start"))',
        's_Prepare_order("Prepare order")',
        's_Route_{"Route?"}',
        's_Each_item[["Each item"]]',
        'subgraph c_Each_item ["Each item (Map)"]',
        's_Charge["Charge"]',
        'subgraph c_Both_sides ["Both sides (Parallel)"]',
        'subgraph c_Both_sides_b1 ["Branch 1"]',
        'subgraph c_Both_sides_b2 ["Branch 2"]',
        's_Right{{"Right"}}',
        's_Right_done(["Right done"])',
        's_Reject>"Reject"]',
        'n_end((("end")))',
        "n_start --> s_Prepare_order",
        "s_Prepare_order --> s_Route_",
        's_Route_ -->|"$.kind == #quot;bulk#quot;"| s_Each_item',
        's_Route_ -->|"And($.total #gt; 100, $.vip == true)"| s_Both_sides',
        's_Route_ -->|"Default"| s_Reject',
        "s_Each_item --> s_Charge",
        "s_Charge --> n_end_c_Each_item",
        "s_Each_item --> s_Done",
        's_Each_item -.->|"Card.Declined, States.Timeout"| s_Refund',
        "s_Both_sides --> s_Left",
        "s_Both_sides --> s_Right",
        "s_Right --> s_Right_done",
        "s_Right_done --> n_end_c_Both_sides_b2",
        "s_Left --> n_end_c_Both_sides_b1",
        "s_Reject --> n_end",
        "s_Done --> n_end",
    ]:
        assert expected in lines, expected
    assert "classDef" not in text


def test_subgraphs_nest_branches_inside_the_parallel_cluster() -> None:
    lines = to_mermaid(graph_of(ORDER)).splitlines()
    outer = lines.index('    subgraph c_Both_sides ["Both sides (Parallel)"]')
    inner = lines.index('        subgraph c_Both_sides_b1 ["Branch 1"]')
    assert inner == outer + 1
    assert lines[inner + 1] == '            s_Left("Left")'
    # every subgraph is closed
    opened = sum(1 for line in lines if line.strip().startswith("subgraph "))
    assert opened == sum(1 for line in lines if line.strip() == "end") == 4


def test_dot_has_clusters_shapes_labels_and_dashed_catches() -> None:
    text = to_dot(graph_of(ORDER))
    assert text.startswith("digraph state_machine {\n")
    assert text.rstrip().endswith("}")
    for expected in [
        "subgraph cluster_c_Each_item {",
        'label="Each item (Map)";',
        "subgraph cluster_c_Both_sides_b2 {",
        's_Route_ [label="Route?", shape=diamond];',
        's_Prepare_order [label="Prepare order", shape=box, style="rounded"];',
        's_Each_item [label="Each item", shape=box3d];',
        "n_start -> s_Prepare_order;",
        's_Route_ -> s_Each_item [label="$.kind == \\"bulk\\""];',
        's_Route_ -> s_Both_sides [label="And($.total > 100, $.vip == true)"];',
        's_Route_ -> s_Reject [label="Default"];',
        's_Each_item -> s_Refund [label="Card.Declined, States.Timeout", style=dashed];',
        "s_Done -> n_end;",
    ]:
        assert expected in text, expected
    assert text.count("{") == text.count("}")


AWKWARD = 'Say "hi" | <b>x</b> #1 & `y`\\z'


def awkward_definition() -> dict[str, Any]:
    return {
        "StartAt": AWKWARD,
        "States": {
            AWKWARD: {"Type": "Pass", "Next": "a-b"},
            "a-b": {"Type": "Pass", "Next": "a_b"},
            "a_b": {"Type": "Pass", "Next": "end"},
            "end": {"Type": "Pass", "Next": "Ünïcode"},
            "Ünïcode": {"Type": "Succeed"},
        },
    }


def test_awkward_names_get_safe_ids_and_escaped_labels_in_mermaid() -> None:
    graph = graph_of(awkward_definition())
    ids = list(graph.state_ids.values())
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"s_[A-Za-z0-9_]+", i) for i in ids)
    assert graph.state_ids["a-b"] != graph.state_ids["a_b"]
    assert graph.state_ids["end"] == "s_end"
    text = to_mermaid(graph)
    label = "Say #quot;hi#quot; #124; #lt;b#gt;x#lt;/b#gt; #35;1 #amp; #96;y#96;\\z"
    assert f'    {graph.state_ids[AWKWARD]}("{label}")' in text
    assert f'    {graph.state_ids["Ünïcode"]}(["Ünïcode"])' in text
    for line in text.splitlines()[1:]:
        # outside the quoted labels, a line holds only safe ids and Mermaid syntax
        bare = re.sub(r'"[^"]*"', "", line)
        assert '"' not in bare, line
        assert "<" not in bare, line


def test_awkward_names_are_escaped_in_dot() -> None:
    graph = graph_of(awkward_definition())
    text = to_dot(graph)
    assert (
        f'{graph.state_ids[AWKWARD]} [label="Say \\"hi\\" | <b>x</b> #1 & `y`\\\\z", shape=box, style="rounded"];'
        in text
    )
    assert f'{graph.state_ids["Ünïcode"]} [label="Ünïcode", shape=oval];' in text


def test_jsonata_condition_is_the_edge_label() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 3 %}", "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"},
        },
    }
    graph = graph_of(definition)
    assert 's_C -->|"$states.input.n #gt; 3"| s_Big' in to_mermaid(graph)
    assert 's_C -> s_Big [label="$states.input.n > 3"];' in to_dot(graph)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.age", "NumericLessThan": 18}, "$.age < 18"),
        ({"Variable": "$.age", "NumericGreaterThanEqualsPath": "$.min"}, "$.age >= $.min"),
        ({"Variable": "$.name", "StringMatches": "A*"}, '$.name matches "A*"'),
        (
            {"Variable": "$.at", "TimestampLessThanEquals": "2024-01-01T00:00:00Z"},
            '$.at <= "2024-01-01T00:00:00Z"',
        ),
        ({"Variable": "$.x", "IsPresent": False}, "$.x is not present"),
        ({"Variable": "$.x", "IsNull": True}, "$.x is null"),
        ({"Not": {"Variable": "$.ok", "BooleanEquals": True}}, "Not($.ok == true)"),
        (
            {"Or": [{"Variable": "$.a", "StringEquals": "x"}, {"Variable": "$.b", "IsString": True}]},
            'Or($.a == "x", $.b is a string)',
        ),
        ({"Condition": "{% $x = 1 %}"}, "$x = 1"),
        ({"Condition": True}, "true"),
    ],
)
def test_describe_rule(rule: dict[str, Any], text: str) -> None:
    assert describe_rule({**rule, "Next": "N"}) == text


def test_long_rule_labels_are_shortened() -> None:
    rule = {"And": [{"Variable": f"$.field{i}", "NumericEquals": i} for i in range(10)], "Next": "B"}
    definition = {
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [rule], "Default": "B"}, "B": {"Type": "Succeed"}},
    }
    label = graph_of(definition).edges[edge_indices(graph_of(definition), "C", "B")[0]].label
    assert len(label) == 80
    assert label.startswith("And($.field0 == 0, ")
    assert label.endswith("…")


# -- execution paths -------------------------------------------------------------------------------


def test_successful_execution_highlights_its_path() -> None:
    graph = graph_of(ORDER)
    result = run_order({"kind": "bulk", "items": [1, 2]}, fail=False)
    assert result.status == "SUCCEEDED"
    path = execution_path(graph, history_events({"events": result.history}))
    names = {"Prepare order", "Route?", "Each item", "Charge", "Done"}
    assert {n for n, i in graph.state_ids.items() if i in path.visited} == names
    assert {"n_start", "n_end", "n_end_c_Each_item"} <= path.visited
    assert path.failed == frozenset()
    expected = {
        *edge_indices(graph, "n_start", "Prepare order"),
        *edge_indices(graph, "Prepare order", "Route?"),
        *edge_indices(graph, "Route?", "Each item"),
        *edge_indices(graph, "Each item", "Charge"),
        *edge_indices(graph, "Charge", "n_end_c_Each_item"),
        *edge_indices(graph, "Each item", "Done"),
        *edge_indices(graph, "Done", "n_end"),
    }
    assert path.edges == expected
    text = to_mermaid(graph, path)
    assert (
        f"    linkStyle {','.join(str(i) for i in sorted(expected))} stroke:#1b7f3b,stroke-width:3px" in text
    )
    visited_line = next(line for line in text.splitlines() if line.endswith(" visited") and "class " in line)
    assert set(visited_line.split()[1].split(",")) == path.visited
    assert "    class " not in text.replace(visited_line, "")


def test_caught_failure_marks_failed_states_and_the_catch_edge() -> None:
    graph = graph_of(ORDER)
    result = run_order({"kind": "bulk", "items": [1]}, fail=True)
    assert (result.status, result.error) == ("FAILED", "Rejected")
    path = execution_path(graph, history_events({"events": result.history}))
    failed = {n for n, i in graph.state_ids.items() if i in path.failed}
    # the Map exited through its Catch; Charge failed and never exited; the execution ended in Reject
    assert failed == {"Each item", "Charge", "Reject"}
    catch = edge_indices(graph, "Each item", "Refund")
    assert graph.edges[catch[0]].kind == "catch"
    assert set(catch) <= path.edges
    assert not set(edge_indices(graph, "Each item", "Done")) & path.edges
    assert set(edge_indices(graph, "Refund", "Reject")) <= path.edges
    assert not set(edge_indices(graph, "Reject", "n_end")) & path.edges
    mermaid = to_mermaid(graph, path)
    failed_line = next(line for line in mermaid.splitlines() if line.endswith(" failed") and "class " in line)
    assert set(failed_line.split()[1].split(",")) == {graph.state_ids[n] for n in failed}
    dot = to_dot(graph, path)
    assert (
        's_Charge [label="Charge", shape=box, fillcolor="#f8d7da", color="#c62828", penwidth=3, style="filled"];'
        in dot
    )
    assert (
        's_Refund [label="Refund", shape=box, fillcolor="#d1f0d8", color="#1b7f3b", penwidth=2, style="rounded,filled"];'
        in dot
    )
    assert (
        's_Each_item -> s_Refund [label="Card.Declined, States.Timeout", style=dashed, color="#1b7f3b", penwidth=3];'
        in dot
    )
    assert "s_Each_item -> s_Done;" in dot


def test_parallel_branches_are_entered_from_the_parallel_node() -> None:
    graph = graph_of(ORDER)
    result = run_order({"kind": "x", "total": 150, "vip": True}, fail=False)
    assert result.status == "SUCCEEDED"
    path = execution_path(graph, history_events({"events": result.history}))
    for source, target in [
        ("Route?", "Both sides"),
        ("Both sides", "Left"),
        ("Both sides", "Right"),
        ("Right", "Right done"),
        ("Right done", "n_end_c_Both_sides_b2"),
        ("Left", "n_end_c_Both_sides_b1"),
        ("Both sides", "Done"),
    ]:
        assert set(edge_indices(graph, source, target)) <= path.edges, (source, target)
    assert not set(edge_indices(graph, "Route?", "Each item")) & path.edges
    assert path.failed == frozenset()


def test_uncaught_failure_marks_the_state_it_ended_in() -> None:
    definition = {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": SDK, "Next": "After"}, "After": {"Type": "Succeed"}},
    }

    async def boom(payload: Any, ctx: Any) -> Any:
        raise TaskFailed("Boom", "bad")

    registry = TaskRegistry()
    registry.register(SDK, boom)
    result = StateMachine(definition, registry=registry).run_sync({})
    graph = graph_of(definition)
    path = execution_path(graph, history_events({"events": result.history}))
    assert path.failed == {"s_Work"}
    assert "s_After" not in path.visited


def test_choice_loop_reentering_the_start_state_uses_the_loop_edge() -> None:
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More?"},
            "More?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}],
                "Default": "Stop",
            },
            "Stop": {"Type": "Succeed"},
        },
    }
    graph = graph_of(definition)
    path = execution_path(graph, StateMachine(definition).run_sync({"n": 0}).history)
    assert set(edge_indices(graph, "More?", "Count")) <= path.edges
    assert set(edge_indices(graph, "More?", "Stop")) <= path.edges


# -- history documents -------------------------------------------------------------------------------


def test_history_pages_in_any_order_are_merged_by_id() -> None:
    events = StateMachine(awkward_definition()).run_sync({}).history
    half = len(events) // 2
    pages = [{"events": events[half:], "nextToken": "t"}, {"events": events[:half]}]
    assert history_events(pages) == events
    assert history_events(list(reversed(events))) == events
    assert history_events({"events": events, "nextToken": "abc"}) == events


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"items": []}, "must be {"),
        ("text", "must be {"),
        ({"events": []}, "no events"),
        ({"events": [{"id": 1}]}, "event 1 is not an object with a 'type'"),
        ({"events": [1]}, "event 1 is not an object"),
    ],
)
def test_bad_history_documents(document: Any, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        history_events(document)


def test_history_of_another_workflow_is_refused() -> None:
    events = StateMachine(awkward_definition()).run_sync({}).history
    with pytest.raises(InputError, match="not in this definition"):
        execution_path(graph_of(ORDER), events)


def test_state_event_without_a_name_is_refused() -> None:
    events = [{"id": 1, "type": "PassStateEntered", "stateEnteredEventDetails": {}}]
    with pytest.raises(InputError, match=r"stateEnteredEventDetails\.name"):
        execution_path(graph_of(ORDER), events)
