"""YAML files and templates: aliases, merge keys, tags and nesting, bounded and placed."""

from __future__ import annotations

from pathlib import Path

import pytest

from asl import StateMachine
from asl.errors import DefinitionError
from asl.templates import read_any
from asl.templates.yamlsrc import MAX_ALIAS_VALUES, load_yaml

MACHINE = "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"


def bomb(levels: int = 9) -> str:
    """The 'billion laughs' of YAML: each level lists the one before nine times."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _problem(text: str, tmp_path: Path, name: str = "flow.yaml") -> tuple[str, int | None, int | None]:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DefinitionError) as caught:
        read_any(path)
    (problem,) = caught.value.problems
    assert problem.code == "MALFORMED_YAML"
    return problem.message, problem.line, problem.column


def test_an_alias_bomb_in_a_definition_is_refused_at_the_alias_that_crosses_the_bound(tmp_path: Path) -> None:
    text = bomb() + "StartAt: P\nStates:\n  P: {Type: Pass, Result: *l8, End: true}\n"
    message, line, column = _problem(text, tmp_path)
    assert f"more than {MAX_ALIAS_VALUES:,} values" in message
    assert line is not None
    assert column is not None
    assert text.splitlines()[line - 1][column - 1] == "*"


def test_an_alias_bomb_in_an_unused_section_of_a_template_is_refused_too(tmp_path: Path) -> None:
    body = "".join(f"    {line}\n" for line in bomb().splitlines())
    text = f"Mappings:\n  Bomb:\n{body}{MACHINE}      Definition: {{StartAt: P, States: {{P: {{Type: Pass, End: true}}}}}}\n"
    message, _, _ = _problem(text, tmp_path, "template.yaml")
    assert "aliases expand" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("StartAt: P\nStates:\n  P: &p\n    Type: Pass\n    Result: *p\n    End: true\n", (5, 13)),
        ("StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: &r [1, *r]\n    End: true\n", (5, 20)),
    ],
    ids=["mapping", "list"],
)
def test_an_alias_inside_its_own_anchor_is_refused_where_it_is(
    tmp_path: Path, text: str, where: tuple[int, int]
) -> None:
    message, line, column = _problem(text, tmp_path)
    assert "inside its own anchor" in message
    assert (line, column) == where


def test_aliases_and_merge_keys_expand_with_the_mappings_own_keys_winning(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(
        "x-retry: &retry [{ErrorEquals: [States.ALL], MaxAttempts: 2}]\n"
        "x-pass: &pass {Type: Pass, Result: base, Next: B}\n"
        "x-more: &more {Result: more, Comment: merged}\n"
        "StartAt: A\n"
        "States:\n"
        "  A:\n    <<: [*pass, *more]\n"
        "  B:\n    <<: *pass\n    Result: own\n    End: true\n    Next: null\n"
        "  C: {Type: Task, Resource: 'arn:aws:states:::lambda:invoke', Retry: *retry, End: true}\n"
    )
    data = read_any(path, strict=False).definition
    assert data["States"]["A"] == {"Type": "Pass", "Result": "base", "Next": "B", "Comment": "merged"}
    assert data["States"]["B"]["Result"] == "own"
    assert data["States"]["C"]["Retry"] == [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('!!python/object/apply:os.system ["touch pwned"]', "!!python/object/apply:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!Include other.yaml", "!Include"),
        ("!!set {a, b}", "!!set"),
        ("!<tag:example.com,2000:thing> x", "tag:example.com,2000:thing"),
    ],
)
def test_tags_other_than_short_forms_and_plain_types_are_refused_as_unknown(
    tmp_path: Path, value: str, shown: str
) -> None:
    message, line, column = _problem(
        f"StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {value}\n    End: true\n", tmp_path
    )
    assert f"unknown tag {shown}" in message
    assert (line, column) == (5, 13)
    assert not (tmp_path / "pwned").exists()


def test_nesting_past_the_json_bound_is_refused_with_its_place_and_below_it_runs(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text(
        "StartAt: P\nStates:\n  P: {Type: Pass, End: true, Result: " + "[" * 600 + "]" * 600 + "}\n"
    )
    with pytest.raises(DefinitionError, match="more than 500 levels") as caught:
        read_any(deep)
    assert caught.value.problems[0].line == 3
    fine = tmp_path / "fine.yaml"
    fine.write_text(
        "StartAt: P\nStates:\n  P: {Type: Pass, End: true, Result: " + "[" * 450 + "]" * 450 + "}\n"
    )
    output = StateMachine.from_file(fine).run_sync({}).output
    assert isinstance(output, list)


def test_short_forms_nest_within_the_bound_too(tmp_path: Path) -> None:
    value = "x"
    for _ in range(300):
        value = f"!Join ['', [{value}]]"
    text = f"{MACHINE}      Definition:\n        StartAt: P\n        States:\n          P: {{Type: Pass, End: true, Result: {value}}}\n"
    message, _, _ = _problem(text, tmp_path, "template.yaml")
    assert "more than 500 levels" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !Ref X\n", {"a": {"Ref": "X"}}),
        ("a: !GetAtt F.Arn\n", {"a": {"Fn::GetAtt": ["F", "Arn"]}}),
        ("a: !Sub ['x-${A}', {A: 1}]\n", {"a": {"Fn::Sub": ["x-${A}", {"A": 1}]}}),
        ("a: !If [C, !Ref X, 2]\n", {"a": {"Fn::If": ["C", {"Ref": "X"}, 2]}}),
        ("a: 2024-01-02\nb: yes\nc: 0x10\n", {"a": "2024-01-02", "b": True, "c": 16}),
        ("", None),
    ],
)
def test_short_forms_and_plain_values_read_as_cloudformation_reads_them(text: str, expected: object) -> None:
    assert load_yaml(text, "t.yaml")[0] == expected


def test_without_libyaml_the_pure_python_parser_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from asl.templates import yamlsrc

    text = "a: &x !Sub ['${A}', {A: 1}]\nb: *x\nc: [1, 2.5, true, null]\n"
    fast = load_yaml(text, "t.yaml")
    monkeypatch.setattr(yamlsrc, "_Events", None)
    assert load_yaml(text, "t.yaml") == fast
