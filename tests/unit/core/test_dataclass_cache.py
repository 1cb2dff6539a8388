"""Dataclass methods of the project's modules are compiled once and kept beside the bytecode (asl.dataclass_cache).

A second process uses the kept code instead of compiling; the classes behave the same either way; other
packages' dataclasses and environments that write no bytecode are left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = """
from __future__ import annotations
from dataclasses import dataclass, field, replace

@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)

@dataclass
class Box:
    inner: Point
    def area(self) -> int:
        return self.inner.x * self.inner.y
"""

SCRIPT = """
import importlib.util, json, sys
import asl.dataclass_cache as cache
compiled = []
cache.compile = lambda *a, **k: compiled.append(1) or compile(*a, **k)
spec = importlib.util.spec_from_file_location(sys.argv[2], sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules[sys.argv[2]] = module
spec.loader.exec_module(module)
p = module.Point(1, 2, ["a"])
q = module.Point(1, 2, ["a"])
frozen = False
try:
    p.x = 5
except Exception as exc:
    frozen = type(exc).__name__
print(json.dumps({
    "compiled": len(compiled),
    "repr": repr(p), "eq": p == q,
    "frozen": frozen, "replace": repr(module.replace(p, y=9)), "area": module.Box(p).area(),
    "slots": hasattr(p, "__dict__"),
}))
"""


def run(module: Path, name: str, env_extra: dict[str, str]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update(env_extra)
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(module), name], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@pytest.fixture
def module(tmp_path: Path) -> Path:
    path = tmp_path / "points.py"
    path.write_text(MODULE)
    return path


def test_a_second_process_uses_the_kept_code(module: Path, tmp_path: Path) -> None:
    env = {"PYTHONPYCACHEPREFIX": str(tmp_path / "cache")}
    first = run(module, "asl.points_for_test", env)
    second = run(module, "asl.points_for_test", env)
    assert first["compiled"] > 0
    assert second["compiled"] == 0
    assert list((tmp_path / "cache").rglob("points.*.dataclasses"))
    assert {k: v for k, v in first.items() if k != "compiled"} == {
        k: v for k, v in second.items() if k != "compiled"
    }
    assert first["repr"] == "Point(x=1, y=2, tags=['a'])"
    assert first["eq"] is True
    assert first["frozen"] == "FrozenInstanceError"
    assert first["replace"] == "Point(x=1, y=9, tags=['a'])"
    assert first["area"] == 2
    assert first["slots"] is False


def test_other_packages_compile_as_usual(module: Path, tmp_path: Path) -> None:
    env = {"PYTHONPYCACHEPREFIX": str(tmp_path / "cache")}
    assert run(module, "someone_else.points", env)["compiled"] == 0
    assert not list((tmp_path / "cache").rglob("*.dataclasses"))


def test_nothing_is_written_where_python_writes_no_bytecode(module: Path, tmp_path: Path) -> None:
    env = {"PYTHONPYCACHEPREFIX": str(tmp_path / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    run(module, "asl.points_for_test", env)
    assert run(module, "asl.points_for_test", env)["compiled"] > 0
    assert not list((tmp_path / "cache").rglob("*.dataclasses"))


def test_a_damaged_cache_file_is_compiled_again(module: Path, tmp_path: Path) -> None:
    env = {"PYTHONPYCACHEPREFIX": str(tmp_path / "cache")}
    run(module, "asl.points_for_test", env)
    for cached in (tmp_path / "cache").rglob("*.dataclasses"):
        cached.write_bytes(b"not marshal data")
    again = run(module, "asl.points_for_test", env)
    assert again["compiled"] > 0
    assert again["repr"] == "Point(x=1, y=2, tags=['a'])"
