"""Every error asl-runner raises, in one tree.

::

    AslError
    ├── DefinitionError          the definition cannot run: a list of Problems (pointer, line, column)
    ├── InputError               the execution input or a command-line value is unusable
    ├── ResourceNotFound         a Task resource has no local handler (strict mode, before running)
    └── StatesError              an ASL runtime error: `error` is the ASL name, `cause` the text
        ├── StatesRuntime            States.Runtime (not caught by States.ALL)
        │   └── IntrinsicFailure     States.Runtime: an intrinsic function failed (AWS's name for it)
        ├── DataLimitExceeded        States.DataLimitExceeded (not caught by States.ALL)
        ├── ParameterPathFailure     States.ParameterPathFailure
        ├── ResultPathMatchFailure   States.ResultPathMatchFailure
        ├── NoChoiceMatched          States.NoChoiceMatched
        ├── QueryEvaluationError     States.QueryEvaluationError
        ├── StatesTimeout            States.Timeout
        │   └── HeartbeatTimeout     States.Timeout (also matches States.HeartbeatTimeout)
        ├── BranchFailed             States.BranchFailed
        ├── ExceedToleratedFailureThreshold
        └── TaskFailed               any error a task handler reports (e.g. CognitoIdentityProvider.*)

The ASL name of a `StatesError` is its identity: matching against Retry/Catch `ErrorEquals`
uses `error` only (see `asl.retry.error_matches`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class AslError(Exception):
    """Base of every error raised by asl-runner."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition: where (JSON pointer, line, column) and what."""

    pointer: str
    message: str
    code: str = "INVALID"
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.pointer or "/"
        if self.line is not None:
            where = f"{where} (line {self.line}, column {self.column})"
        return f"{where}: {self.message}"


class DefinitionError(AslError):
    """The definition is not something AWS would accept; `problems` lists every reason."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"{head}invalid state machine definition ({len(problems)} {noun}):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


class InputError(AslError):
    """An input document or option value cannot be used."""


class ResourceNotFound(AslError):
    """A Task names a resource that no local handler serves."""

    def __init__(self, arns: list[tuple[str, str]], hint: str | None = None) -> None:
        self.arns = arns
        lines = ["no local handler for these Task resources:"]
        lines += [f"  {arn} (state {state!r})" for state, arn in arns]
        lines.append(
            f"Provide one: {hint}."
            if hint
            else "Provide one: register a handler (TaskRegistry.register(arn, handler)), "
            "map the ARN to a Python function in asl.toml, or mock it with --mock-config."
        )
        super().__init__("\n".join(lines))


class StatesError(AslError):
    """An ASL runtime error, named as AWS names it."""

    error_name = "States.Runtime"
    #: AWS prefixes the cause with the state's name and entry event id for these errors.
    state_scoped = False
    #: A second name Retry and Catch rules may use for this error.
    also_matches: str | None = None

    def __init__(
        self, cause: str | None = None, *, error: str | None = None, location: str | None = None
    ) -> None:
        self.error: str = error if error is not None else self.error_name
        self.cause: str | None = cause
        #: For JSONata failures: the field whose expression failed (EvaluationFailed's `location`).
        self.location = location
        self.scoped_to: str | None = None
        #: The innermost state the error ended (set by the executor).
        self.failed_state: str | None = None
        super().__init__(f"{self.error}: {cause}" if cause else self.error)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle exactly as it is, without running `__init__` again (worker processes send failures back)."""
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[StatesError], args: tuple[Any, ...], state: dict[str, Any]) -> StatesError:
    error = cls.__new__(cls, *args)
    error.__dict__.update(state)
    return error


class StatesRuntime(StatesError):
    """States.Runtime: an unrecoverable error such as a path that matches nothing."""

    error_name = "States.Runtime"
    state_scoped = True


class DataLimitExceeded(StatesError):
    """States.DataLimitExceeded: a payload over the size limit."""

    error_name = "States.DataLimitExceeded"


class ParameterPathFailure(StatesError):
    """States.ParameterPathFailure: a `.$` field's path matched nothing."""

    error_name = "States.ParameterPathFailure"
    state_scoped = True


class ResultPathMatchFailure(StatesError):
    """States.ResultPathMatchFailure: ResultPath cannot be applied to the input."""

    error_name = "States.ResultPathMatchFailure"
    state_scoped = True


class IntrinsicFailure(StatesRuntime):
    """An intrinsic function failed at run time (bad argument, invalid JSON, a limit passed).

    AWS records these as `States.Runtime`, not the `States.IntrinsicFailure` the ASL specification
    names, so a Catch on `States.ALL` does not catch them: `States.MathAdd` given a string fails the
    execution with States.Runtime and "Invalid arguments in States.MathAdd" (aws-test-harness's
    test against AWS; gabrielmoreira/tiny-asl-machine's AWS-run intrinsic conformance cases).
    """


class NoChoiceMatched(StatesError):
    """States.NoChoiceMatched: no Choice rule matched and there is no Default."""

    error_name = "States.NoChoiceMatched"


class QueryEvaluationError(StatesError):
    """States.QueryEvaluationError: a JSONata expression failed or gave an unusable value."""

    error_name = "States.QueryEvaluationError"
    state_scoped = True


class StatesTimeout(StatesError):
    """States.Timeout: a state or the execution ran past its TimeoutSeconds."""

    error_name = "States.Timeout"


class HeartbeatTimeout(StatesTimeout):
    """A task sent no heartbeat within HeartbeatSeconds.

    Its error is States.Timeout, as the ASL specification defines it ("a Task State either ran
    longer than TimeoutSeconds or failed to heartbeat for longer than HeartbeatSeconds"), so Retry and
    Catch on States.Timeout handle it; AWS's newer States.HeartbeatTimeout name matches it too, and
    only it (AWS's error-handling guide: it is available in Retry and Catch fields).
    """

    error_name = "States.Timeout"
    also_matches = "States.HeartbeatTimeout"


class BranchFailed(StatesError):
    """States.BranchFailed: a Parallel branch failed."""

    error_name = "States.BranchFailed"


class ExceedToleratedFailureThreshold(StatesError):
    """States.ExceedToleratedFailureThreshold: too many Map iterations failed."""

    error_name = "States.ExceedToleratedFailureThreshold"


class TaskFailed(StatesError):
    """A task handler's failure, with any error name (`CognitoIdentityProvider.UserNotFoundException`)."""

    error_name = "States.TaskFailed"

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(cause, error=error)
