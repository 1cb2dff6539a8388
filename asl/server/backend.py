"""The Step Functions backend: the store, the task registry, compiled definitions and the runtime.

Built once per server from the project configuration (`asl.toml`): Task resources resolve as they
do for `asl run` (configured handlers, the built-in Cognito tasks), plus what only a server has:
state machines created on it for `states:startExecution`, activities served to GetActivityTask
workers, and `.waitForTaskToken` callbacks sent by any client.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, replace
from typing import Any

from asl import mocks, unserved
from asl.config import Config
from asl.machine import EXPRESS_MAX_DURATION
from asl.model import Definition
from asl.resources import Handler, ResourceArn
from asl.runner import Runner, attach_cognito, build_runner
from asl.server import interpreter
from asl.server.arns import MachineRef, Region
from asl.server.errors import ServiceError
from asl.store import machines as sql
from asl.store.db import Database

#: How many compiled definitions are kept (compiling validates the whole definition).
_CACHE = 256


@dataclass(frozen=True)
class Target:
    """What a StartExecution runs: the definition and where it came from (machine, version, alias)."""

    machine_arn: str
    name: str
    type: str
    definition: str
    revision_id: str
    role_arn: str
    version_arn: str | None = None
    alias_arn: str | None = None
    test_case: str | None = None


@dataclass
class Settings:
    """Server-wide knobs."""

    wait_scale: float = 1.0
    #: GetActivityTask waits this long for a task before answering without one (AWS: 60 s).
    activity_poll_seconds: float = 60.0


class Backend:
    """Everything the Step Functions actions share."""

    def __init__(self, db: Database, config: Config | None = None, settings: Settings | None = None) -> None:
        from asl.server.runtime import Runtime

        self.db = db
        self.config = config or Config()
        self.settings = settings or Settings()
        self.where = Region(self.config.region, self.config.account)
        self.runner = _runner(self.config)
        self.clock = interpreter.make_clock(self.settings.wait_scale)
        self._definitions: dict[str, Definition] = {}
        self._evicting = threading.Lock()
        self.runtime = Runtime(self)
        from asl.nested import START_EXECUTION
        from asl.server.nested import start_execution_handler

        if START_EXECUTION not in self.runner.registry:
            self.runner.registry.register(START_EXECUTION, start_execution_handler(self))
        self.runner.registry.fallbacks.append(self.runtime.activities.fallback)
        self.runner.registry.fallbacks.append(_unserved)

    # -- lifecycle --------------------------------------------------------------------------------

    async def open(self, tasks: Any) -> None:
        """Create the configuration's state machines, then resume what was running."""
        from asl.server.state_machines import put_configured

        for name, path in self.config.state_machines.items():
            await put_configured(self, name, path)
        await self.runtime.open(tasks)

    # -- definitions ------------------------------------------------------------------------------

    def compile(self, text: str) -> Definition:
        """The compiled definition (cached by its text); DefinitionError when AWS would refuse it."""
        definition = self._definitions.get(text)
        if definition is None:
            definition = interpreter.compile_definition(text)
            with self._evicting:  # the console compiles on worker threads too
                if len(self._definitions) >= _CACHE:
                    self._definitions.pop(next(iter(self._definitions)), None)
                self._definitions[text] = definition
        return definition

    def machine(self, target: Target, execution_name: str, on_wait: Any) -> Any:
        """A StateMachine for one execution of `target`, with the test case's mocks if it names one."""
        config = self.config
        machine = interpreter.new_machine(
            self.compile(target.definition),
            target.name,
            registry=self.runner.registry,
            region=config.region,
            account=config.account,
            payload_limit=config.payload_limit,
            history_limit=config.history_limit,
            on_wait=on_wait,
            s3_root=config.s3_root,
        )
        if target.type == "EXPRESS":
            machine.max_duration = EXPRESS_MAX_DURATION
        if target.test_case:
            if self.runner.mock_data is None:
                raise ServiceError(
                    "ValidationException",
                    f"The state machine ARN names the mock test case '{target.test_case}', but asl serve "
                    "was started without a mock file: give --mock-config FILE (or mock_config in asl.toml)",
                )
            try:
                self.runner.apply_mocks(machine, target.name, target.test_case)
            except mocks.MockConfigError as exc:
                raise ServiceError("ValidationException", str(exc)) from None
        return machine

    # -- state machine references -----------------------------------------------------------------

    async def target(self, ref: MachineRef) -> Target:
        """Resolve a (possibly qualified) state machine ARN to what an execution of it runs."""
        machine = await self.db.query(sql.get_machine, ref.arn)
        if machine is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{ref.qualified}'")
        alias_arn = None
        version: dict[str, Any] | None = None
        if ref.alias is not None:
            alias = await self.db.query(sql.get_alias, ref.qualified)
            if alias is None:
                raise ServiceError("ResourceNotFound", f"Resource not found: '{ref.qualified}'")
            alias_arn = alias["arn"]
            version = await self.db.query(sql.get_version, pick_version(json.loads(alias["routing"])))
        elif ref.version is not None:
            version = await self.db.query(sql.get_version, ref.qualified)
            if version is None:
                raise ServiceError("ResourceNotFound", f"Resource not found: '{ref.qualified}'")
        source = version or machine
        return Target(
            machine_arn=machine["arn"],
            name=machine["name"],
            type=source["type"],
            definition=source["definition"],
            revision_id=source["revision_id"],
            role_arn=source["role_arn"],
            version_arn=version["arn"] if version else None,
            alias_arn=alias_arn,
            test_case=ref.test_case,
        )


def pick_version(routing: list[dict[str, Any]]) -> str:
    """Choose a version of an alias's routing configuration by weight, as AWS does."""
    weights = [entry["weight"] for entry in routing]
    if sum(weights) <= 0:
        return str(routing[0]["stateMachineVersionArn"])
    chosen = random.choices(routing, weights=weights)[0]
    return str(chosen["stateMachineVersionArn"])


def _runner(config: Config) -> Runner:
    """The task registry of `asl run`, without the parts a server does its own way.

    Mocks are chosen per execution (`...:stateMachine:Name#TestCase`), state machines for
    `states:startExecution` are the ones on this server, and the Cognito directory is shared with
    the users file action by action (`cognito_tasks.shared`), with other processes too.
    """
    runner = build_runner(replace(config, mock_config=None, test_case=None, state_machines={}))
    attach_cognito(runner, config.users, offload=True)
    if config.users is not None and config.save_users:
        from cognito_tasks import shared

        # Every Cognito action (a Task's or an HTTP client's) is a transaction on the users file.
        shared.share(runner.directory, config.users)
    runner.config = config
    if config.mock_config is not None:
        runner.mock_data = mocks.load_mock_config(config.mock_config)
    return runner


#: How to serve a Task resource, in `asl serve`'s terms.
SERVE_HINT = (
    "map it to a Python function in asl.toml [handlers], or mock the state (--mock-config, and "
    "...:stateMachine:Name#TestCase in StartExecution)"
)


def _unserved(arn: ResourceArn) -> Handler | None:
    """Last resort: a task nothing serves fails as AWS fails a call to a resource that does not exist."""
    if arn.pattern == "waitForTaskToken":
        return None  # the execution waits for SendTaskSuccess/SendTaskFailure from any client
    handler: Handler = unserved.stand_in(arn, SERVE_HINT)
    return handler
