"""JSON definition -> compiled `Definition`; every problem is collected with its JSON pointer.

Everything that can be compiled is compiled here, once: paths, payload templates, intrinsic
calls, Choice rules and JSONata expressions. The loader refuses what it cannot run; the full
static checks (reachability, resources, SDK parameters...) live in `asl.validate`.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from asl import choice, jsonata, payload
from asl.errors import DefinitionError, Problem
from asl.model import (
    Catcher,
    ChoiceRule,
    ChoiceState,
    Definition,
    Dynamic,
    Expr,
    FailState,
    Machine,
    MapState,
    ParallelState,
    PassState,
    QueryLanguage,
    Retrier,
    State,
    StateType,
    SucceedState,
    TaskState,
    WaitState,
)
from asl.paths import Path, PathSyntaxError, compile_path, compile_reference_path
from asl.resources import ArnError, ResourceArn, parse_arn
from asl.source import Source, escape_token

_TOP = {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
_BODY = {"Comment", "StartAt", "States", "QueryLanguage", "ProcessorConfig"}
_IO = {"InputPath", "OutputPath"}
_RESULT = {"Parameters", "ResultSelector", "ResultPath"}
_FLOW = {"Next", "End"}
_ERRORS = {"Retry", "Catch"}
_COMMON = {"Type", "Comment", "QueryLanguage"}
ALLOWED: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | _IO | {"Parameters", "ResultPath", "Result", "Assign", "Output"},
    "Task": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"}
    | {"Credentials", "Arguments", "Output", "Assign"},
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": _COMMON
    | _FLOW
    | _IO
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"},
    "Succeed": _COMMON | _IO | {"Output"},
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | _RESULT | _ERRORS | {"Branches", "Arguments", "Output", "Assign"},
    "Map": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {
        "ItemSelector",
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "Items",
        "MaxConcurrency",
        "MaxConcurrencyPath",
    }
    | {"ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage"}
    | {
        "ToleratedFailurePercentagePath",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "Label",
        "Output",
        "Assign",
    },
}
JSONPATH_ONLY = {
    "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Result", "SecondsPath",
    "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "ItemsPath",
    "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "ItemSelector",
}  # fmt: skip
#: Validator errors AWS reports only when the task runs (a missing request member fails the API call).
_CHECKED_WHEN_CALLED = frozenset({"MISSING_SDK_PARAMETER"})
_NEVER_WAIT = frozenset({StateType.PASS, StateType.CHOICE, StateType.SUCCEED, StateType.FAIL})
JSONATA_ONLY = {"Arguments", "Output", "Items"}
KNOWN_ERRORS = {
    "States.ALL", "States.DataLimitExceeded", "States.ExceedToleratedFailureThreshold", "States.HeartbeatTimeout",
    "States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed", "States.NoChoiceMatched",
    "States.ParameterPathFailure", "States.Permissions", "States.ResultPathMatchFailure", "States.ResultWriterFailed",
    "States.Runtime", "States.Timeout", "States.TaskFailed", "States.BranchFailed", "States.QueryEvaluationError",
}  # fmt: skip


def load_definition(definition: Any, source: Source | None = None) -> Definition:
    """Compile a definition (already parsed JSON); raise `DefinitionError` listing every problem."""
    parser = _Parser()
    machine = parser.machine(definition, "", QueryLanguage.JSONPATH, top=True)
    problems = parser.problems
    if not problems and machine is not None:
        # What the loader can run, AWS may still refuse (an unreachable state, a States.ALL retrier
        # that is not last...): the validator's errors count too, so nothing runs that AWS rejects.
        from asl.validate import validate

        problems = [
            d.as_problem()
            for d in validate(definition)
            if d.severity == "ERROR" and d.code not in _CHECKED_WHEN_CALLED
        ]
    if problems or machine is None:
        problems = problems or [Problem("", "the definition must be a JSON object")]
        if source is not None:
            problems = source.place(problems)
        raise DefinitionError(problems, source.name if source else None)
    version = definition.get("Version", "1.0") if isinstance(definition, dict) else "1.0"
    return Definition(machine, definition, str(version), source.name if source else "<definition>")


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


class _Parser:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.names: dict[str, str] = {}

    def problem(self, pointer: str, message: str, code: str = "SCHEMA_VALIDATION_FAILED") -> None:
        self.problems.append(Problem(pointer, message, code))

    # -- machines ---------------------------------------------------------------------------------

    def machine(self, raw: Any, pointer: str, inherited: QueryLanguage, top: bool = False) -> Machine | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "must be a JSON object with StartAt and States")
            return None
        allowed = _TOP if top else _BODY
        for key in raw:
            if key not in allowed:
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"unknown field {key!r}; allowed here: {', '.join(sorted(allowed))}",
                )
        language = self.query_language(raw, pointer, inherited)
        start_at = raw.get("StartAt")
        if not isinstance(start_at, str):
            self.problem(
                f"{pointer}/StartAt" if "StartAt" in raw else pointer,
                "'StartAt' is required and must be a state name",
            )
            start_at = ""
        states_raw = raw.get("States")
        if not isinstance(states_raw, dict) or not states_raw:
            where = f"{pointer}/States" if "States" in raw else pointer
            self.problem(where, "'States' is required and must be a non-empty object of states")
            return None
        timeout = raw.get("TimeoutSeconds")
        if timeout is not None and (not _is_int(timeout) or timeout <= 0):
            self.problem(f"{pointer}/TimeoutSeconds", "TimeoutSeconds must be a positive integer")
        states: dict[str, State] = {}
        for name, state_raw in states_raw.items():
            state_pointer = f"{pointer}/States/{escape_token(name)}"
            if len(name) > 80:
                self.problem(state_pointer, f"state name {name[:20]!r}... is longer than 80 characters")
            if name in self.names:
                self.problem(
                    state_pointer,
                    f"state name {name!r} is already used at {self.names[name]}; names must be unique in the whole definition",
                )
            self.names[name] = state_pointer
            state = self.state(name, state_raw, state_pointer, language)
            if state is not None:
                states[name] = state
        if isinstance(raw.get("StartAt"), str) and start_at not in states_raw:
            self.problem(
                f"{pointer}/StartAt",
                f"StartAt names {start_at!r}, which is not a state here; states: {', '.join(states_raw)}",
                "MISSING_TRANSITION_TARGET",
            )
        for name, state in states.items():
            base = f"{pointer}/States/{escape_token(name)}"
            targets: list[tuple[str, str]] = []
            if state.next is not None:
                targets.append((f"{base}/Next", state.next))
            if isinstance(state, ChoiceState):
                targets += [(f"{base}/Choices/{i}/Next", r.next) for i, r in enumerate(state.choices)]
                if state.default is not None:
                    targets.append((f"{base}/Default", state.default))
            targets += [(f"{base}/Catch/{i}/Next", c.next) for i, c in enumerate(state.catch)]
            for where, target in targets:
                if target not in states_raw:
                    self.problem(
                        where,
                        f"{target!r} is not a state in this {'definition' if top else 'branch'}",
                        "MISSING_TRANSITION_TARGET",
                    )
        never_waits = all(s.type in _NEVER_WAIT for s in states.values())
        return Machine(
            start_at,
            states,
            language,
            float(timeout) if _is_int(timeout) else None,
            str(raw.get("Comment", "")),
            never_waits,
        )

    def query_language(self, raw: dict[str, Any], pointer: str, inherited: QueryLanguage) -> QueryLanguage:
        value = raw.get("QueryLanguage")
        if value is None:
            return inherited
        if value not in ("JSONPath", "JSONata"):
            self.problem(f"{pointer}/QueryLanguage", "QueryLanguage must be 'JSONPath' or 'JSONata'")
            return inherited
        language = QueryLanguage(value)
        if inherited is QueryLanguage.JSONATA and language is QueryLanguage.JSONPATH:
            self.problem(
                f"{pointer}/QueryLanguage",
                "a state cannot use JSONPath when the state machine's QueryLanguage is JSONata; "
                "remove the field or set the top-level QueryLanguage to JSONPath",
            )
        return language

    # -- states -----------------------------------------------------------------------------------

    def state(self, name: str, raw: Any, pointer: str, inherited: QueryLanguage) -> State | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "a state must be a JSON object")
            return None
        type_ = raw.get("Type")
        if not isinstance(type_, str) or type_ not in ALLOWED:
            self.problem(
                f"{pointer}/Type" if "Type" in raw else pointer,
                f"'Type' must be one of {', '.join(ALLOWED)}; got {type_!r}",
            )
            return None
        language = self.query_language(raw, pointer, inherited)
        for key in raw:
            if key not in ALLOWED[type_]:
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"field {key!r} is not allowed in a {type_} state; allowed: {', '.join(sorted(ALLOWED[type_]))}",
                )
            elif language is QueryLanguage.JSONATA and key in JSONPATH_ONLY:
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"the JSONPath field {key!r} is not supported in a JSONata state; use Arguments, Output or Assign with {{% %}} expressions",
                )
            elif language is QueryLanguage.JSONPATH and key in JSONATA_ONLY:
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"the JSONata field {key!r} is only supported when QueryLanguage is JSONata; use Parameters, InputPath, ResultPath or OutputPath",
                )
        common = self.common(name, StateType(type_), raw, pointer, language)
        build = getattr(self, f"state_{type_.lower()}")
        return build(raw, pointer, language, common)  # type: ignore[no-any-return]

    def common(
        self, name: str, type_: StateType, raw: dict[str, Any], pointer: str, lang: QueryLanguage
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": name,
            "type": type_,
            "query_language": lang,
            "comment": str(raw.get("Comment", "")),
        }
        terminal = type_ in (StateType.SUCCEED, StateType.FAIL, StateType.CHOICE)
        if terminal:
            for key in ("Next", "End"):
                if key in raw:
                    self.problem(f"{pointer}/{key}", f"a {type_} state cannot have {key!r}")
        else:
            has_next, end = "Next" in raw, raw.get("End")
            if has_next and not isinstance(raw["Next"], str):
                self.problem(f"{pointer}/Next", "Next must be a state name")
            if "End" in raw and not isinstance(end, bool):
                self.problem(f"{pointer}/End", "End must be true or false")
            if has_next and end is True:
                self.problem(pointer, "a state cannot have both 'Next' and 'End': true", "INVALID_TRANSITION")
            elif not has_next and end is not True:
                self.problem(
                    pointer, f"state {name!r} needs either 'Next' or 'End': true", "MISSING_TRANSITION"
                )
            fields["next"] = raw["Next"] if has_next and isinstance(raw["Next"], str) else None
            fields["end"] = end is True
        if lang is QueryLanguage.JSONPATH:
            for key, attr in (("InputPath", "input"), ("OutputPath", "output")):
                if key in raw:
                    if raw[key] is None:
                        fields[f"{attr}_null"] = True
                    else:
                        fields[f"{attr}_path"] = self.path(raw[key], f"{pointer}/{key}")
            if "Parameters" in raw:
                fields["parameters"] = self.template(
                    raw["Parameters"], f"{pointer}/Parameters", object_only=True
                )
            if "ResultSelector" in raw:
                fields["result_selector"] = self.template(
                    raw["ResultSelector"], f"{pointer}/ResultSelector", object_only=True
                )
            if "ResultPath" in raw:
                if raw["ResultPath"] is None:
                    fields["result_discard"] = True
                else:
                    fields["result_path"] = self.reference_path(raw["ResultPath"], f"{pointer}/ResultPath")
        if "Output" in raw:
            fields["output"] = jsonata.compile_template(
                raw["Output"], "Output", f"{pointer}/Output", self.problems
            )
        if "Assign" in raw:
            fields["assign"] = self.assign(raw["Assign"], f"{pointer}/Assign", lang)
        if "Retry" in raw:
            fields["retry"] = self.retriers(raw["Retry"], f"{pointer}/Retry")
        if "Catch" in raw:
            fields["catch"] = self.catchers(raw["Catch"], f"{pointer}/Catch", lang)
        return fields

    def state_pass(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        return PassState(**common, result=raw.get("Result"), has_result="Result" in raw)

    def state_succeed(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        return SucceedState(**common)

    def state_fail(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        error = self.dynamic(raw, pointer, lang, "Error", "ErrorPath", kind="string", intrinsic=True)
        cause = self.dynamic(raw, pointer, lang, "Cause", "CausePath", kind="string", intrinsic=True)
        return FailState(**common, error=error, cause=cause)

    def state_wait(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        given = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in raw]
        if len(given) != 1:
            self.problem(
                pointer,
                f"a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath (found {len(given)})",
            )
        seconds = self.dynamic(raw, pointer, lang, "Seconds", "SecondsPath", kind="seconds")
        timestamp = self.dynamic(raw, pointer, lang, "Timestamp", "TimestampPath", kind="timestamp")
        return WaitState(**common, seconds=seconds, timestamp=timestamp)

    def state_choice(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        rules_raw = raw.get("Choices")
        rules: list[ChoiceRule] = []
        if not isinstance(rules_raw, list) or not rules_raw:
            self.problem(
                f"{pointer}/Choices" if "Choices" in raw else pointer,
                "a Choice state needs 'Choices', a non-empty array of rules",
            )
            rules_raw = []
        for i, rule in enumerate(rules_raw):
            rp = f"{pointer}/Choices/{i}"
            if not isinstance(rule, dict):
                self.problem(rp, "a Choice rule must be an object")
                continue
            nxt = rule.get("Next")
            if not isinstance(nxt, str):
                self.problem(
                    f"{rp}/Next" if "Next" in rule else rp, "every top-level Choice rule needs 'Next'"
                )
                nxt = ""
            body = {k: v for k, v in rule.items() if k not in ("Next", "Comment", "Assign", "Output")}
            test = self.condition(body, rp, lang)
            assign = self.assign(rule["Assign"], f"{rp}/Assign", lang) if "Assign" in rule else None
            output = (
                jsonata.compile_template(rule["Output"], "Output", f"{rp}/Output", self.problems)
                if "Output" in rule
                else None
            )
            if test is not None:
                rules.append(ChoiceRule(test, nxt, assign, output))
        default = raw.get("Default")
        if default is not None and not isinstance(default, str):
            self.problem(f"{pointer}/Default", "Default must be a state name")
            default = None
        return ChoiceState(**common, choices=tuple(rules), default=default)

    def condition(self, body: dict[str, Any], pointer: str, lang: QueryLanguage) -> Any:
        if lang is QueryLanguage.JSONATA:
            cond = body.get("Condition")
            extra = [k for k in body if k != "Condition"]
            if extra:
                self.problem(
                    f"{pointer}/{escape_token(extra[0])}",
                    f"field {extra[0]!r} is not allowed in a JSONata Choice rule; use 'Condition'",
                )
            if isinstance(cond, bool):
                return lambda scope: cond
            if not jsonata.is_expression(cond):
                self.problem(
                    f"{pointer}/Condition" if "Condition" in body else pointer,
                    "a JSONata Choice rule needs 'Condition': a {% %} expression or a boolean",
                )
                return None
            expr = jsonata.compile_expression(cond, "Condition", f"{pointer}/Condition", self.problems)
            if expr is None:
                return None
            return _boolean_condition(expr, cond)
        if "Condition" in body:
            self.problem(
                f"{pointer}/Condition",
                "'Condition' is only supported when QueryLanguage is JSONata; use 'Variable' and a comparison operator",
            )
            return None
        return choice.compile_rule(body, pointer, self.problems)

    def state_task(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        resource_raw = raw.get("Resource")
        resource: ResourceArn | None = None
        if not isinstance(resource_raw, str):
            self.problem(
                f"{pointer}/Resource" if "Resource" in raw else pointer,
                "a Task state needs 'Resource', an ARN string",
            )
        else:
            try:
                resource = parse_arn(resource_raw)
            except ArnError as exc:
                self.problem(f"{pointer}/Resource", str(exc), "INVALID_RESOURCE")
        arguments = None
        if "Arguments" in raw:
            arguments = jsonata.compile_template(
                raw["Arguments"], "Arguments", f"{pointer}/Arguments", self.problems
            )
        timeout = self.dynamic(raw, pointer, lang, "TimeoutSeconds", "TimeoutSecondsPath", kind="positive")
        heartbeat = self.dynamic(
            raw, pointer, lang, "HeartbeatSeconds", "HeartbeatSecondsPath", kind="positive"
        )
        if (
            timeout
            and heartbeat
            and timeout.value is not None
            and heartbeat.value is not None
            and heartbeat.value >= timeout.value
        ):
            self.problem(
                f"{pointer}/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds"
            )
        placeholder = resource or ResourceArn("", "aws", "states", "", "", "invalid")
        return TaskState(
            **common,
            resource=placeholder,
            arguments=arguments,
            timeout=timeout,
            heartbeat=heartbeat,
            credentials=raw.get("Credentials"),
        )

    def state_parallel(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        branches_raw = raw.get("Branches")
        branches: list[Machine] = []
        if not isinstance(branches_raw, list) or not branches_raw:
            self.problem(
                f"{pointer}/Branches" if "Branches" in raw else pointer,
                "a Parallel state needs 'Branches', a non-empty array of {StartAt, States}",
            )
            branches_raw = []
        for i, branch in enumerate(branches_raw):
            machine = self.machine(branch, f"{pointer}/Branches/{i}", lang)
            if machine is not None:
                branches.append(machine)
        arguments = None
        if "Arguments" in raw:
            arguments = jsonata.compile_template(
                raw["Arguments"], "Arguments", f"{pointer}/Arguments", self.problems
            )
        return ParallelState(**common, branches=tuple(branches), arguments=arguments)

    def state_map(
        self, raw: dict[str, Any], pointer: str, lang: QueryLanguage, common: dict[str, Any]
    ) -> State:
        key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
        if "ItemProcessor" in raw and "Iterator" in raw:
            self.problem(f"{pointer}/Iterator", "use either ItemProcessor or the legacy Iterator, not both")
        body = raw.get(key)
        distributed = False
        if isinstance(body, dict):
            config = body.get("ProcessorConfig", {})
            if isinstance(config, dict):
                mode = config.get("Mode", "INLINE")
                if mode not in ("INLINE", "DISTRIBUTED"):
                    self.problem(
                        f"{pointer}/{key}/ProcessorConfig/Mode", "Mode must be INLINE or DISTRIBUTED"
                    )
                distributed = mode == "DISTRIBUTED"
        processor = self.machine(body, f"{pointer}/{key}", lang) if key in raw else None
        if key not in raw:
            self.problem(pointer, "a Map state needs 'ItemProcessor' (or the legacy 'Iterator')")
        if "Parameters" in raw and "ItemSelector" in raw:
            self.problem(
                f"{pointer}/Parameters", "use either ItemSelector or the legacy Parameters, not both"
            )
        item_selector: Expr | None = None
        parameters = common.pop("parameters", None)
        if lang is QueryLanguage.JSONPATH:
            if "ItemSelector" in raw:
                item_selector = self.template(
                    raw["ItemSelector"], f"{pointer}/ItemSelector", object_only=True
                )
            else:
                item_selector = parameters
        elif "ItemSelector" in raw:
            item_selector = jsonata.compile_template(
                raw["ItemSelector"], "ItemSelector", f"{pointer}/ItemSelector", self.problems
            )
        items_path = (
            self.path(raw["ItemsPath"], f"{pointer}/ItemsPath")
            if "ItemsPath" in raw and lang is QueryLanguage.JSONPATH
            else None
        )
        items = None
        if "Items" in raw and lang is QueryLanguage.JSONATA:
            items = jsonata.compile_template(raw["Items"], "Items", f"{pointer}/Items", self.problems)
        max_c = self.dynamic(raw, pointer, lang, "MaxConcurrency", "MaxConcurrencyPath", kind="count")
        tol_c = self.dynamic(
            raw, pointer, lang, "ToleratedFailureCount", "ToleratedFailureCountPath", kind="count"
        )
        tol_p = self.dynamic(
            raw,
            pointer,
            lang,
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            kind="percentage",
        )
        extra: dict[str, Any] = {k: raw[k] for k in ("ItemReader", "ItemBatcher", "ResultWriter") if k in raw}
        if processor is None:
            processor = Machine("", {})
        return MapState(
            **common, processor=processor, distributed=distributed, items_path=items_path, items=items,
            items_text=jsonata.expression_text(raw["Items"]) if jsonata.is_expression(raw.get("Items")) else "",
            item_selector=item_selector, max_concurrency=max_c, tolerated_failure_count=tol_c,
            tolerated_failure_percentage=tol_p, label=str(raw.get("Label", "")), extra=extra,
        )  # fmt: skip

    # -- pieces -----------------------------------------------------------------------------------

    def path(self, text: Any, pointer: str) -> Path | None:
        if not isinstance(text, str):
            self.problem(pointer, "must be a JSONPath string (or null)")
            return None
        try:
            return compile_path(text)
        except PathSyntaxError as exc:
            self.problem(pointer, str(exc), "INVALID_JSONPATH")
            return None

    def reference_path(self, text: Any, pointer: str) -> Path | None:
        if not isinstance(text, str):
            self.problem(pointer, "ResultPath must be a reference path string (or null)")
            return None
        try:
            return compile_reference_path(text)
        except PathSyntaxError as exc:
            self.problem(pointer, str(exc), "INVALID_JSONPATH")
            return None

    def template(self, value: Any, pointer: str, object_only: bool = False) -> Expr | None:
        if object_only and not isinstance(value, dict):
            self.problem(pointer, "must be a JSON object")
            return None
        return payload.compile_template(value, pointer, self.problems)

    def assign(self, value: Any, pointer: str, lang: QueryLanguage) -> Expr | None:
        if not isinstance(value, dict):
            self.problem(pointer, "Assign must be an object of variable names to values")
            return None
        for key in value:
            name = key[:-2] if lang is QueryLanguage.JSONPATH and key.endswith(".$") else key
            if (
                not name
                or not (name[0].isalpha() or name[0] == "_")
                or not all(c.isalnum() or c == "_" for c in name)
            ):
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"{name!r} is not a valid variable name (letters, digits and '_', not starting with a digit)",
                )
            elif name == "states":
                self.problem(
                    f"{pointer}/{escape_token(key)}", "'states' is a reserved name and cannot be assigned"
                )
        if lang is QueryLanguage.JSONATA:
            return jsonata.compile_template(value, "Assign", pointer, self.problems)
        return payload.compile_template(value, pointer, self.problems)

    def dynamic(
        self,
        raw: dict[str, Any],
        pointer: str,
        lang: QueryLanguage,
        name: str,
        path_name: str,
        kind: str,
        intrinsic: bool = False,
    ) -> Dynamic | None:
        if name in raw and path_name in raw:
            self.problem(f"{pointer}/{path_name}", f"{name} and {path_name} cannot both be given")
        if path_name in raw:
            text = raw[path_name]
            if intrinsic and isinstance(text, str) and text.startswith("States."):
                expr = payload.compile_dynamic_value(text, path_name, f"{pointer}/{path_name}", self.problems)
                return Dynamic(path_name, expr=expr, text=text)
            return Dynamic(path_name, path=self.path(text, f"{pointer}/{path_name}"), text=str(text))
        if name not in raw:
            return None
        value = raw[name]
        if lang is QueryLanguage.JSONATA and jsonata.is_expression(value):
            expr = jsonata.compile_expression(value, name, f"{pointer}/{name}", self.problems)
            return Dynamic(name, expr=expr, text=jsonata.expression_text(value))
        ok = {
            "string": isinstance(value, str),
            "seconds": _is_int(value) and value >= 0,
            "positive": _is_int(value) and value > 0,
            "count": _is_int(value) and value >= 0,
            "percentage": _is_number(value) and 0 <= value <= 100,
            "timestamp": isinstance(value, str) and choice.parse_timestamp(value) is not None,
        }[kind]
        if not ok:
            expected = {
                "string": "a string", "seconds": "a non-negative integer", "positive": "a positive integer",
                "count": "a non-negative integer", "percentage": "a number between 0 and 100",
                "timestamp": "an ISO-8601 timestamp like 2024-01-01T00:00:00Z",
            }[kind]  # fmt: skip
            self.problem(f"{pointer}/{name}", f"{name} must be {expected}; got {value!r}")
        return Dynamic(name, value=value)

    def error_names(self, value: Any, pointer: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem(pointer, "ErrorEquals must be a non-empty array of error names")
            return ()
        for i, name in enumerate(value):
            if name.startswith("States.") and name not in KNOWN_ERRORS:
                self.problem(
                    f"{pointer}/{i}",
                    f"{name!r} is not a predefined error; custom error names cannot start with 'States.'",
                    "INVALID_ERROR_NAME",
                )
        if "States.ALL" in value and len(value) > 1:
            self.problem(pointer, "States.ALL must appear alone in ErrorEquals", "STATES_ALL_NOT_ALONE")
        return tuple(value)

    def retriers(self, value: Any, pointer: str) -> tuple[Retrier, ...]:
        if not isinstance(value, list):
            self.problem(pointer, "Retry must be an array of retriers")
            return ()
        out: list[Retrier] = []
        allowed = {
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment",
        }
        for i, r in enumerate(value):
            rp = f"{pointer}/{i}"
            if not isinstance(r, dict):
                self.problem(rp, "a retrier must be an object")
                continue
            for key in r:
                if key not in allowed:
                    self.problem(f"{rp}/{escape_token(key)}", f"unknown field {key!r} in a retrier")
            errors = self.error_names(r.get("ErrorEquals"), f"{rp}/ErrorEquals")
            if "States.ALL" in errors and i != len(value) - 1:
                self.problem(
                    f"{rp}/ErrorEquals",
                    "a retrier with States.ALL must be the last one",
                    "STATES_ALL_NOT_LAST",
                )
            interval = r.get("IntervalSeconds", 1)
            attempts = r.get("MaxAttempts", 3)
            backoff = r.get("BackoffRate", 2.0)
            max_delay = r.get("MaxDelaySeconds")
            jitter = r.get("JitterStrategy", "NONE")
            if not _is_int(interval) or interval < 1:
                self.problem(f"{rp}/IntervalSeconds", "IntervalSeconds must be a positive integer")
            if not _is_int(attempts) or attempts < 0:
                self.problem(f"{rp}/MaxAttempts", "MaxAttempts must be a non-negative integer")
            if not _is_number(backoff) or backoff < 1:
                self.problem(f"{rp}/BackoffRate", "BackoffRate must be a number of at least 1.0")
            if max_delay is not None and (not _is_int(max_delay) or max_delay < 1):
                self.problem(f"{rp}/MaxDelaySeconds", "MaxDelaySeconds must be a positive integer")
            if jitter not in ("FULL", "NONE"):
                self.problem(f"{rp}/JitterStrategy", "JitterStrategy must be FULL or NONE")
            if self.problems and self.problems[-1].pointer.startswith(rp):
                continue
            out.append(Retrier(errors, interval, attempts, float(backoff), max_delay, jitter))
        return tuple(out)

    def catchers(self, value: Any, pointer: str, lang: QueryLanguage) -> tuple[Catcher, ...]:
        if not isinstance(value, list):
            self.problem(pointer, "Catch must be an array of catchers")
            return ()
        out: list[Catcher] = []
        allowed = {"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"}
        for i, c in enumerate(value):
            cp = f"{pointer}/{i}"
            if not isinstance(c, dict):
                self.problem(cp, "a catcher must be an object")
                continue
            for key in c:
                if key not in allowed:
                    self.problem(f"{cp}/{escape_token(key)}", f"unknown field {key!r} in a catcher")
                elif lang is QueryLanguage.JSONATA and key == "ResultPath":
                    self.problem(
                        f"{cp}/ResultPath", "ResultPath is not supported in a JSONata state; use Output"
                    )
                elif lang is QueryLanguage.JSONPATH and key == "Output":
                    self.problem(
                        f"{cp}/Output",
                        "Output is only supported when QueryLanguage is JSONata; use ResultPath",
                    )
            errors = self.error_names(c.get("ErrorEquals"), f"{cp}/ErrorEquals")
            if "States.ALL" in errors and i != len(value) - 1:
                self.problem(
                    f"{cp}/ErrorEquals",
                    "a catcher with States.ALL must be the last one",
                    "STATES_ALL_NOT_LAST",
                )
            nxt = c.get("Next")
            if not isinstance(nxt, str):
                self.problem(f"{cp}/Next" if "Next" in c else cp, "a catcher needs 'Next', a state name")
                continue
            result_path = None
            discard = False
            if "ResultPath" in c and lang is QueryLanguage.JSONPATH:
                if c["ResultPath"] is None:
                    discard = True
                else:
                    result_path = self.reference_path(c["ResultPath"], f"{cp}/ResultPath")
            output = (
                jsonata.compile_template(c["Output"], "Output", f"{cp}/Output", self.problems)
                if "Output" in c and lang is QueryLanguage.JSONATA
                else None
            )
            assign = self.assign(c["Assign"], f"{cp}/Assign", lang) if "Assign" in c else None
            out.append(Catcher(errors, nxt, result_path, discard, output, assign))
        return tuple(out)


def _boolean_condition(expr: Expr, text: str) -> Any:
    from asl.errors import QueryEvaluationError

    def test(scope: Any) -> bool:
        value = expr(scope)
        if not isinstance(value, bool):
            raise QueryEvaluationError(
                f"The JSONata expression '{jsonata.expression_text(text)}' specified for the field 'Condition' "
                f"returned an unexpected result type. Expected 'boolean', but was '{type(value).__name__}'"
            )
        return value

    return test
