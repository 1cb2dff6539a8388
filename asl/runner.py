"""Assembling a runnable StateMachine from a workflow file and the project configuration.

What each Task resource means locally comes from, in order: a mock of the chosen test case (by
state name), a handler mapped in the configuration (by ARN, Lambda function name or activity
ARN), the built-in Cognito actions, and local state machines for `states:startExecution`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl import http_task
from asl.config import Config, ConfigError, import_handler
from asl.errors import DefinitionError
from asl.machine import StateMachine
from asl.model import iter_states
from asl.resources import ArnError, Handler, ResourceArn, TaskContext, TaskRegistry, parse_arn
from asl.templates import Loaded

if TYPE_CHECKING:  # imported where used: a run without handlers or mocks needs neither
    from asl import lambdas, mocks

#: How to serve a Task resource, in the command line's and asl.toml's terms.
SERVE_HINT = (
    "map it to a Python function (--handler KEY=MODULE:FUNCTION, or [handlers] in asl.toml) or mock the state "
    "(--mock-config FILE --test-case NAME)"
)
COGNITO_PREFIX = "arn:aws:states:::aws-sdk:cognitoidentityprovider:"
#: Local-only Cognito conveniences (cognito_tasks.ISSUE_TOKENS_ARN) live under this prefix.
LOCAL_COGNITO_PREFIX = "arn:asl-runner:cognito:"


@dataclass
class Runner:
    """The pieces shared by a workflow and the state machines it starts."""

    config: Config
    registry: TaskRegistry = field(default_factory=TaskRegistry)
    directory: Any = None
    mock_data: dict[str, Any] | None = None
    on_wait: Any = None
    machines: dict[str, StateMachine] = field(default_factory=dict)
    #: Local Lambda functions by function name (also what Cognito triggers resolve to).
    functions: dict[str, lambdas.LambdaFunction] = field(default_factory=dict)

    def machine_name(self, path: Path) -> str:
        """A state machine's name: its file's stem, or its folder's name for `workflow.json`.

        For a template's machine (`template.yaml#Flow`): its name property, else its logical ID.
        """
        from asl import templates

        file, fragment = templates.split_ref(path)
        if fragment is not None or templates.reads(path) or file.suffix == ".json":
            try:
                loaded = self.read(path, strict=False)
            except DefinitionError:
                loaded = None  # loading the machine reports it
            if loaded is not None and loaded.name is not None:
                return loaded.name
        file = file.resolve()
        stem = file.name.split(".")[0] if file.suffix.lower() in templates.YAML_SUFFIXES else file.stem
        return file.parent.name if stem == "workflow" else stem

    def read(self, path: Path, strict: bool = True) -> Loaded:
        """The definition at `path` (a file or a template's machine), with the configured substitutions."""
        from asl import templates

        return templates.read_any(
            path,
            self.config.substitutions,
            region=self.config.region,
            account=self.config.account,
            strict=strict,
        )

    def load(self, path: Path, name: str | None = None, *, top: bool | None = None) -> StateMachine:
        """Load a definition with this runner's registry, mocks and settings.

        `top`: the workflow itself rather than a local state machine it starts (default: the first loaded).
        """
        top = not self.machines if top is None else top
        loaded = self.read(path)
        name = name or loaded.name or self.machine_name(path)
        machine = StateMachine(
            loaded.definition,
            source=loaded.source,
            registry=self.registry,
            name=name,
            region=self.config.region,
            account=self.config.account,
            payload_limit=self.config.payload_limit,
            history_limit=self.config.history_limit,
            on_wait=self.on_wait,
            s3_root=self.config.s3_root,
            strict_resources=self.config.strict_resources,
        )
        machine.serve_hint = SERVE_HINT
        # A worker process (Distributed Map children, asl.workers) builds the same machine from these.
        machine.worker_recipe = _recipe(self.config, path, name, top=top)
        if self.mock_data is not None and self.config.test_case:
            known = self.mock_data["StateMachines"].get(name, {})
            if top or self.config.test_case in known.get("TestCases", {}):
                self.apply_mocks(machine, name)
        self.machines[name] = machine
        return machine

    def apply_mocks(self, machine: StateMachine, name: str, test_case: str | None = None) -> None:
        """Install a test case's mocked responses (default: the configured one) for `machine`'s states."""
        from asl import mocks

        test_case = test_case or self.config.test_case
        assert self.mock_data is not None
        assert test_case
        where = str(self.config.mock_config)
        responses = mocks.case_mocks(self.mock_data, name, test_case, where)
        unknown = sorted(set(responses) - _state_names(machine))
        if unknown:
            raise mocks.MockConfigError(
                f"{where}: test case {test_case!r} mocks {', '.join(unknown)}, "
                f"which {'is not a state' if len(unknown) == 1 else 'are not states'} of {name!r}"
            )
        _check_mocks(
            machine, responses, self.config.mock_validation, f"{where} test case {self.config.test_case!r}"
        )
        machine.mocks.update({state: mocks.mock_handler(r) for state, r in responses.items()})

    def resolve(self, reference: str) -> StateMachine | None:
        """A local state machine by name or by ARN (`...:stateMachine:<name>`)."""
        name = reference.rsplit(":stateMachine:", 1)[-1].split(":")[0]
        for key in (reference, name):
            if key in self.machines:
                return self.machines[key]
            path = self.config.state_machines.get(key)
            if path is not None:
                return self.load(path, name)
        return None


def _check_mocks(
    machine: StateMachine, responses: dict[str, mocks.MockedResponse], mode: str, where: str
) -> None:
    """Mocked results must fit the API's output shape (`asl.mockcheck`); errors stop the run."""
    from asl import mockcheck, mocks

    answers = {
        state: [(f"MockedResponses.{r.name}.{s.first}", s.value) for s in r.steps if s.returns]
        for state, r in responses.items()
    }
    errors = mockcheck.check_answers(mockcheck.task_resources(machine), answers, mode, where)
    if errors:
        raise mocks.MockConfigError(
            "\n".join(errors) + '\n(the result must match the service\'s API; mock_validation = "PRESENT" '
            'skips the required-field check, "NONE" every check)'
        )


def _recipe(config: Config, path: Path, name: str, *, top: bool) -> Any:
    from asl.workers import Recipe

    return Recipe("asl.runner:worker_machine", (config, str(path), name, top))


def worker_machine(config: Config, path: str, name: str, top: bool) -> StateMachine:
    """The state machine a worker process runs Distributed Map children of (see `asl.workers`)."""
    return build_runner(config).load(Path(path), name, top=top)


def _state_names(machine: StateMachine) -> set[str]:
    return {state.name for state in iter_states(machine.definition.machine)}


def _service_handler(function: Callable[..., Any]) -> Handler:
    """Adapt a `(payload, ctx)` function, sync or async, to a registry handler."""
    import inspect

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        result = function(payload, ctx)
        if inspect.isawaitable(result):
            result = await result
        return result

    return handler


def build_runner(config: Config, on_wait: Any = None) -> Runner:
    """A Runner with every configured handler registered and the mock file loaded."""
    runner = Runner(config, on_wait=on_wait)
    functions = runner.functions
    targets: list[tuple[str, Any]] = [
        (key, import_handler(target, config.root, f"handler for {key!r}"))
        for key, target in config.handlers.items()
    ]
    targets += _commands(config)
    remote = _remote(config)
    if targets or remote is not None:
        from asl import lambdas
    for key, function in targets:
        if not key.startswith("arn:"):
            functions[lambdas.function_name(key)] = function
            continue
        try:
            arn = parse_arn(key)
        except ArnError as exc:
            raise ConfigError(f"handlers: {exc}") from None
        if arn.is_lambda:
            functions[lambdas.function_name(key)] = function
        elif arn.is_activity:
            runner.registry.register(key, lambdas.function_handler(function, arn.action, key))
        else:
            runner.registry.register(key, _service_handler(function))
    for name, function in functions.items():
        function_arn = f"arn:aws:lambda:{config.region}:{config.account}:function:{name}"
        if function_arn not in runner.registry:
            runner.registry.register(function_arn, lambdas.function_handler(function, name, function_arn))
    if functions or remote is not None:
        by_name = {name: lambdas.function_handler(f, name, name) for name, f in functions.items()}

        def lambda_fallback(arn: ResourceArn) -> Handler | None:
            if not arn.is_lambda:
                return None
            name = lambdas.function_name(arn.action)
            found = by_name.get(name)
            if found is None and remote is not None:
                function = remote(name)
                found = lambdas.function_handler(function, name, arn.raw) if function is not None else None
            return found

        runner.registry.fallbacks.append(lambda_fallback)
    if (functions or remote is not None) and lambdas.INVOKE_ARN not in runner.registry:
        runner.registry.register(
            lambdas.INVOKE_ARN, lambdas.invoke_handler(functions, config.region, config.account, remote)
        )
    if http_task.ARN not in runner.registry:
        runner.registry.register(http_task.ARN, http_task.http_handler(config.http_allow))
    if config.state_machines:
        from asl import nested

        if nested.START_EXECUTION not in runner.registry:
            runner.registry.register(nested.START_EXECUTION, nested.start_execution_handler(runner.resolve))
    if config.mock_config is not None:
        from asl import mocks

        if not config.test_case:
            raise ConfigError(
                f"{config.mock_config}: a mock file needs a test case: give --test-case NAME (or test_case in asl.toml)"
            )
        runner.mock_data = mocks.load_mock_config(config.mock_config)
    elif config.test_case:
        raise ConfigError(
            "--test-case needs a mock file: give --mock-config FILE (or mock_config in asl.toml)"
        )
    return runner


def _commands(config: Config) -> list[tuple[str, Any]]:
    """`[commands]`: each key served by a command run from the configuration's folder (asl.commands)."""
    if not config.commands:
        return []
    from asl.commands import command_function

    return [
        (key, command_function(command, config.root, region=config.region))
        for key, command in config.commands.items()
    ]


def _remote(config: Config) -> Callable[[str], Any] | None:
    """Functions nothing local serves, invoked at `lambda_endpoint` (asl.lambda_endpoint)."""
    if config.lambda_endpoint is None:
        return None
    from asl.lambda_endpoint import remote_function

    endpoint = config.lambda_endpoint
    return lambda name: remote_function(endpoint, name)


def attach_cognito(runner: Runner, users: Path | None, *, offload: bool = False) -> None:
    """Register the built-in Cognito actions over a directory (loaded from `users` when it exists).

    User-pool Lambda triggers resolve to the configured handlers by function name, as Task states do.
    `offload` runs the actions on worker threads (see `cognito_tasks.register`).
    """
    import cognito_tasks
    from cognito_tasks import persist, triggers

    directory = (
        persist.load(users)
        if users is not None and users.exists()
        else cognito_tasks.UserDirectory(region=runner.config.region)
    )
    directory.functions = triggers.by_name(runner.functions)
    cognito_tasks.register(runner.registry, directory, offload=offload)
    runner.directory = directory


def uses_cognito(machine: StateMachine) -> bool:
    """True when a Task of the machine calls a Cognito action that nothing else serves."""
    return any(
        arn.startswith((COGNITO_PREFIX, LOCAL_COGNITO_PREFIX)) for _, arn in machine.missing_resources()
    )
