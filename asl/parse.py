"""JSON definition -> compiled `Definition`; every problem is collected with its JSON pointer.

Everything that can be compiled is compiled here, once: paths, payload templates, intrinsic
calls, Choice rules and JSONata expressions. The loader refuses what it cannot run; the full
static checks (reachability, resources, SDK parameters...) live in `asl.validate`.
"""

from __future__ import annotations

from typing import Any

from asl import jsonata, jsonvalue
from asl.errors import DefinitionError, Problem
from asl.model import (
    ChoiceRule,
    ChoiceState,
    Definition,
    Expr,
    FailState,
    Machine,
    MapState,
    ParallelState,
    PassState,
    QueryLanguage,
    State,
    StateType,
    SucceedState,
    TaskState,
    WaitState,
)
from asl.parse_fields import (
    ALLOWED,
    BODY_FIELDS,
    JSONATA_ONLY,
    JSONPATH_ONLY,
    TOP_FIELDS,
    FieldParser,
    is_int,
)
from asl.resources import ArnError, ResourceArn, parse_arn
from asl.source import Source, escape_token

#: Validator errors AWS reports only when the task runs (a missing request member fails the API call).
_CHECKED_WHEN_CALLED = frozenset({"MISSING_SDK_PARAMETER"})
_NEVER_WAIT = frozenset({StateType.PASS, StateType.CHOICE, StateType.SUCCEED, StateType.FAIL})


def load_definition(definition: Any, source: Source | None = None) -> Definition:
    """Compile a definition (already parsed JSON); raise `DefinitionError` listing every problem."""
    from asl.validate import scan, validate_within_depth

    # One walk for the depth, checked before anything recurses into it, and for the validator's repeated keys.
    deepest, repeated = scan(definition)
    if deepest > jsonvalue.MAX_DEPTH:
        # `asl validate` reports the same (TOO_DEEPLY_NESTED).
        message = (
            f"the definition nests objects and arrays more than {jsonvalue.MAX_DEPTH} levels deep; flatten it"
        )
        raise DefinitionError([Problem("", message, "TOO_DEEPLY_NESTED")], source.name if source else None)
    parser = _Parser()
    machine = parser.machine(definition, "", QueryLanguage.JSONPATH, top=True)
    problems = parser.problems
    if not problems and machine is not None:
        # What the loader can run, AWS may still refuse (an unreachable state, a States.ALL retrier
        # that is not last...): the validator's errors count too, so nothing runs that AWS rejects.
        problems = [
            d.as_problem()
            for d in validate_within_depth(definition, repeated=repeated)
            if d.severity == "ERROR" and d.code not in _CHECKED_WHEN_CALLED
        ]
    if problems or machine is None:
        problems = problems or [Problem("", "the definition must be a JSON object")]
        if source is not None:
            problems = source.place(problems)
        raise DefinitionError(problems, source.name if source else None)
    version = definition.get("Version", "1.0") if isinstance(definition, dict) else "1.0"
    return Definition(machine, definition, str(version), source.name if source else "<definition>")


class _Parser(FieldParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}
        #: The state machine's own QueryLanguage: states in branches and Map bodies inherit it, not the
        #: language of the Parallel or Map holding them (as AWS resolves it).
        self.top_language = QueryLanguage.JSONPATH

    # -- machines ---------------------------------------------------------------------------------

    def machine(self, raw: Any, pointer: str, inherited: QueryLanguage, top: bool = False) -> Machine | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "must be a JSON object with StartAt and States")
            return None
        allowed = TOP_FIELDS if top else BODY_FIELDS
        for key in raw:
            if key not in allowed:
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"unknown field {key!r}; allowed here: {', '.join(sorted(allowed))}",
                )
        language = self.query_language(raw, pointer, inherited) if top else inherited
        if top:
            self.top_language = language
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
        if timeout is not None and (not is_int(timeout) or timeout <= 0):
            self.problem(f"{pointer}/TimeoutSeconds", "TimeoutSeconds must be a positive integer")
        states: dict[str, State] = {}
        pointers: dict[str, str] = {}
        for name, state_raw in states_raw.items():
            state_pointer = pointers[name] = f"{pointer}/States/{escape_token(name)}"
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
            base = pointers[name]
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
            float(timeout) if is_int(timeout) else None,
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
            and is_int(timeout.value)
            and is_int(heartbeat.value)
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
            machine = self.machine(branch, f"{pointer}/Branches/{i}", self.top_language)
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
        processor = self.machine(body, f"{pointer}/{key}", self.top_language) if key in raw else None
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
