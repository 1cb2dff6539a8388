"""Project configuration: `asl.toml` next to the workflow, or `[tool.asl]` in pyproject.toml.

Every key has a command-line flag too; flags win. Relative paths are resolved against the
directory of the file they were read from.

```toml
region = "us-east-1"
account = "123456789012"
payload_limit = 262144           # bytes; 0 = no limit
history_limit = 25000            # events per execution, AWS's quota; 0 = no limit
users = "users.json"             # Cognito user directory, loaded and saved back atomically
save_users = true                # false: leave the users file unchanged (a shared fixture)
mock_config = "mocks.json"       # AWS Step Functions Local's MockConfigFile, unchanged
s3_root = "s3"                   # stands in for S3: s3://bucket/key is s3/bucket/key (Distributed Map)
test_case = "HappyPath"
mock_validation = "STRICT"       # mocked results vs the service's API: STRICT, PRESENT or NONE
strict_resources = false         # true: refuse to start while any Task state has no handler or mock

[handlers]                       # resource ARN, Lambda function name or activity ARN -> "module:function"
"greet" = "handlers:greet"
"arn:aws:states:us-east-1:123456789012:activity:approve" = "handlers:approve"

[state_machines]                 # other state machines, by name or ARN -> definition file
"Child" = "child.json"

[commands]                       # like [handlers], served by a command (event on stdin, result on stdout)
"price-order" = "node price.js"

lambda_endpoint = "http://127.0.0.1:3001"   # functions nothing local serves: sam local start-lambda
http_allow = ["127.0.0.1", "localhost"]     # hosts the HTTP Task may reach (loopback by default)

[substitutions]                  # templates: values for ${NAME}, Ref NAME, Fn::GetAtt NAME.Attr
"NotifyTopicArn" = "arn:aws:sns:us-east-1:123456789012:orders"
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl.errors import AslError


class ConfigError(AslError):
    """The configuration file (or a flag standing for one of its keys) is unusable."""


@dataclass
class Config:
    """The runner's settings, with paths made absolute."""

    source: Path | None = None
    region: str = "us-east-1"
    account: str = "123456789012"
    payload_limit: int = 256 * 1024
    history_limit: int = 25_000
    users: Path | None = None
    #: Write the user directory back after a run (false keeps a shared fixture file unchanged).
    save_users: bool = True
    mock_config: Path | None = None
    #: The folder standing in for S3 in Distributed Map's ItemReader/ResultWriter.
    s3_root: Path | None = None
    test_case: str | None = None
    #: Refuse to start while any Task state is unserved (default: warn, fail only a Task that is reached).
    strict_resources: bool = False
    handlers: dict[str, str] = field(default_factory=dict)
    state_machines: dict[str, Path] = field(default_factory=dict)
    #: Values for a template's placeholders (`asl.templates`): `--sub NAME=VALUE` and `[substitutions]`.
    substitutions: dict[str, str] = field(default_factory=dict)
    #: How mocked results are checked against the service's API (asl.mockcheck): STRICT, PRESENT or NONE.
    mock_validation: str = "STRICT"
    #: Task code as commands (asl.commands): the keys [handlers] takes -> a command line.
    commands: dict[str, str] = field(default_factory=dict)
    #: A Lambda-API endpoint (`sam local start-lambda`) for functions nothing local serves.
    lambda_endpoint: str | None = None
    #: Hosts the HTTP Task may reach (asl.http_task); loopback by default.
    http_allow: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost", "::1"])
    #: The directory user modules ("module:function") are imported from.
    root: Path = field(default_factory=Path.cwd)


_KEYS: dict[str, type | tuple[type, ...]] = {
    "region": str,
    "account": str,
    "payload_limit": int,
    "history_limit": int,
    "users": str,
    "save_users": bool,
    "mock_config": str,
    "s3_root": str,
    "test_case": str,
    "strict_resources": bool,
    "handlers": dict,
    "state_machines": dict,
    "substitutions": dict,
    "mock_validation": str,
    "commands": dict,
    "lambda_endpoint": str,
    "http_allow": list,
}
_EXPECTED = {
    str: "a string",
    int: "a non-negative integer",
    dict: "a table",
    bool: "true or false",
    list: "a list of strings",
}


def find_config(workflow: Path) -> Path | None:
    """`asl.toml` beside the workflow, else a pyproject.toml with [tool.asl] there or in a parent."""
    folder = workflow.resolve().parent
    candidate = folder / "asl.toml"
    if candidate.exists():
        return candidate
    for directory in (folder, *folder.parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.exists():
            import tomllib

            from asl.files import read_text

            try:
                data = tomllib.loads(read_text(pyproject))
            except (OSError, tomllib.TOMLDecodeError):
                return None
            return pyproject if "asl" in data.get("tool", {}) else None
    return None


def load_config(path: Path) -> Config:
    """Read and check a configuration file; errors name the file, the key and what is expected."""
    import tomllib

    from asl.files import FileReadError, read_text

    try:
        data = tomllib.loads(read_text(path))
    except FileReadError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.reason}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("asl", {})
        where = f"{path} [tool.asl]"
    else:
        where = str(path)
    return parse_config(data, where, path.parent.resolve(), path)


def parse_config(data: dict[str, Any], where: str, base: Path, source: Path | None = None) -> Config:
    """Build a Config from a parsed TOML table."""
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}; known keys: {', '.join(_KEYS)}")
        expected = _KEYS[key]
        wrong_bool = isinstance(value, bool) and expected is not bool
        if not isinstance(value, expected) or wrong_bool or (type(value) is int and value < 0):
            raise ConfigError(f"{where}: {key} must be {_EXPECTED[expected]}, got {value!r}")  # type: ignore[index]
    config = Config(source=source, root=base)
    if data.get("mock_validation", "STRICT") not in ("STRICT", "PRESENT", "NONE"):
        raise ConfigError(
            f"{where}: mock_validation must be STRICT, PRESENT or NONE, got {data['mock_validation']!r}"
        )
    for key in ("region", "account", "test_case", "save_users", "mock_validation", "strict_resources"):
        if key in data:
            setattr(config, key, data[key])
    for key in ("payload_limit", "history_limit"):
        if key in data:
            setattr(config, key, data[key])
    for key in ("users", "mock_config", "s3_root"):
        if key in data:
            setattr(config, key, (base / data[key]).resolve())
    for name, target in data.get("handlers", {}).items():
        if not isinstance(target, str) or ":" not in target:
            raise ConfigError(f'{where}: handlers.{name} must be "module:function", got {target!r}')
        config.handlers[name] = target
    for name, target in data.get("state_machines", {}).items():
        if not isinstance(target, str):
            raise ConfigError(
                f"{where}: state_machines.{name} must be the path of a definition file, got {target!r}"
            )
        config.state_machines[name] = (base / target).resolve()
    for name, command in data.get("commands", {}).items():
        if not isinstance(command, str) or not command.strip():
            raise ConfigError(f"{where}: commands.{name} must be a command line, got {command!r}")
        config.commands[name] = command
    if "lambda_endpoint" in data:
        if not data["lambda_endpoint"].startswith(("http://", "https://")):
            raise ConfigError(
                f"{where}: lambda_endpoint must be an http:// or https:// URL, got {data['lambda_endpoint']!r}"
            )
        config.lambda_endpoint = data["lambda_endpoint"]
    if "http_allow" in data:
        if not all(isinstance(host, str) for host in data["http_allow"]):
            raise ConfigError(f"{where}: http_allow must be a list of host names, got {data['http_allow']!r}")
        config.http_allow = list(data["http_allow"])
    for name, value in data.get("substitutions", {}).items():
        if not isinstance(value, str):
            raise ConfigError(f"{where}: substitutions.{name} must be a string, got {value!r}")
        config.substitutions[name] = value
    return config


def import_handler(target: str, root: Path, what: str) -> Any:
    """Import "module:function" (from the project root); errors say which key and why."""
    import importlib
    import sys

    module_name, _, attribute = target.partition(":")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise ConfigError(f"{what}: cannot import module {module_name!r} from {root}: {exc}") from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ConfigError(f"{what}: module {module_name!r} has no function {attribute!r}")
    return function
