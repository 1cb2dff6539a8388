"""Coverage reports: the recorded executions of a folder merged per definition, as text, JSON or HTML."""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl.coverage.elements import KINDS, Elements, edge_key, elements
from asl.errors import AslError, DefinitionError
from asl.files import read_text
from asl.graph import Highlight, build_graph, to_dot, to_mermaid
from asl.parse import load_definition

LABELS = {
    "states": "states",
    "transitions": "transitions",
    "rules": "Choice rules",
    "retriers": "retriers",
    "catchers": "catchers",
}


class CoverageError(AslError):
    """The coverage folder is missing, empty or holds a file that is not coverage data."""


@dataclass
class Entry:
    """One definition: what it has, what its executions covered, and how many there were."""

    name: str
    source: str
    raw: Any

    @property
    def shown(self) -> str:
        """The source as a path relative to the current folder when it is under it."""
        import os

        try:
            relative = os.path.relpath(self.source)
        except ValueError:
            return self.source
        return self.source if relative.startswith("..") else relative

    elements: Elements
    covered: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    runs: int = 0

    def counts(self, kind: str) -> tuple[int, int]:
        """(covered, total) of one kind (only elements the definition has count)."""
        universe = self.elements.of(kind)
        return len(self.covered[kind] & set(universe)), len(universe)

    def missed(self, kind: str) -> list[str]:
        """The elements of `kind` no execution reached, in definition order."""
        return [e for e in self.elements.of(kind) if e not in self.covered[kind]]


def load(folder: Path) -> list[Entry]:
    """Every definition recorded in `folder`, with its executions merged."""
    if not folder.is_dir():
        raise CoverageError(
            f"{folder}: no coverage data (set {'ASL_COVERAGE'}={folder} or run pytest --asl-coverage={folder})"
        )
    entries: dict[tuple[str, str], Entry] = {}
    for path in sorted(folder.glob("*.json")):
        data, hits = _read(path)
        raw = data["definition"]
        digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
        key = (str(data.get("source", "")), digest)
        if key not in entries:
            try:
                definition = load_definition(raw)
            except DefinitionError as exc:
                raise CoverageError(f"{path}: its definition is not valid: {exc}; delete the file") from None
            entries[key] = Entry(str(data.get("name", "")), key[0], raw, elements(definition))
        entry = entries[key]
        entry.runs += 1
        for kind in KINDS:
            entry.covered[kind] |= hits[kind]
    if not entries:
        raise CoverageError(f"{folder}: no recorded executions")
    return sorted(entries.values(), key=lambda e: (e.source, e.name))


def _read(path: Path) -> tuple[dict[str, Any], dict[str, set[str]]]:
    """One recorded execution: its data and its hits by kind; CoverageError says what is wrong."""
    from asl import jsonvalue

    try:
        data = jsonvalue.loads(read_text(path))
    except (OSError, ValueError) as exc:  # FileReadError, JSONDecodeError, JsonValueError
        raise CoverageError(f"{path}: not coverage data ({exc})") from None
    problem = None
    if not isinstance(data, dict) or "definition" not in data or "hits" not in data:
        problem = "a coverage file is a JSON object with 'definition' and 'hits'"
    elif not isinstance(data["hits"], dict):
        problem = "'hits' must be an object"
    elif not all(isinstance(data.get(key, ""), str) for key in ("name", "source")):
        problem = "'name' and 'source' must be strings"
    else:
        for kind in KINDS:
            items = data["hits"].get(kind, [])
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                problem = f"'hits.{kind}' must be a list of strings"
                break
    if problem is not None:
        raise CoverageError(f"{path}: not coverage data ({problem}); delete the file and record again")
    return data, {kind: set(data["hits"].get(kind, [])) for kind in KINDS}


def total(entries: list[Entry]) -> tuple[int, int]:
    """(covered, total) over every kind of every definition."""
    pairs = [entry.counts(kind) for entry in entries for kind in KINDS]
    return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def percent(covered: int, of: int) -> float:
    """Coverage as a percentage (100 when there is nothing to cover)."""
    return 100.0 * covered / of if of else 100.0


def render_text(entries: list[Entry]) -> str:
    """One block per definition: each kind's covered/total, then what was missed."""
    lines = []
    for entry in entries:
        covered, of = total([entry])
        lines.append(
            f"{entry.shown} ({entry.name}, {entry.runs} execution{'s' if entry.runs != 1 else ''}): {percent(covered, of):.1f}%"
        )
        for kind in KINDS:
            hit, all_ = entry.counts(kind)
            if all_:
                lines.append(f"  {LABELS[kind]:<12} {hit}/{all_}")
                lines += [f"    missed: {element}" for element in entry.missed(kind)]
    covered, of = total(entries)
    lines.append(f"TOTAL {covered}/{of} elements covered: {percent(covered, of):.1f}%")
    return "\n".join(lines) + "\n"


def render_json(entries: list[Entry]) -> str:
    """`{"total": {...}, "definitions": [{source, name, runs, percent, kinds: {kind: {covered, total, missed}}}]}`."""
    covered, of = total(entries)
    definitions = []
    for entry in entries:
        hit, all_ = total([entry])
        kinds = {
            kind: {
                "covered": entry.counts(kind)[0],
                "total": entry.counts(kind)[1],
                "missed": entry.missed(kind),
            }
            for kind in KINDS
        }
        definitions.append(
            {
                "source": entry.shown,
                "name": entry.name,
                "runs": entry.runs,
                "percent": round(percent(hit, all_), 2),
                "kinds": kinds,
            }
        )
    result = {
        "total": {"covered": covered, "total": of, "percent": round(percent(covered, of), 2)},
        "definitions": definitions,
    }
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def highlight(entry: Entry) -> tuple[Any, Highlight]:
    """The entry's graph, and its coverage as a highlight: reached states and edges, unreached states as failed."""
    graph = build_graph(load_definition(entry.raw))
    names = {node_id: name for name, node_id in graph.state_ids.items()}
    reached = frozenset(node for node, name in names.items() if name in entry.covered["states"])
    edges = frozenset(
        i for i, edge in enumerate(graph.edges) if edge_key(graph, edge) in entry.covered["transitions"]
    )
    return graph, Highlight(reached, frozenset(names) - reached, edges)


def diagram(entry: Entry) -> str:
    """Mermaid: covered states and transitions green, unreached states red, unreached transitions red and dashed."""
    graph, marks = highlight(entry)
    text = to_mermaid(graph, marks).rstrip("\n")
    missed = [str(i) for i, e in enumerate(graph.edges) if i not in marks.edges and e.kind != "branch"]
    if missed:
        text += f"\n    linkStyle {','.join(missed)} stroke:#c62828,stroke-dasharray:4 3"
    return text + "\n"


def svg(entry: Entry) -> str | None:
    """The diagram as SVG by Graphviz's `dot` (unreached states red), or None without Graphviz."""
    import shutil
    import subprocess

    executable = shutil.which("dot")
    if executable is None:
        return None
    graph, marks = highlight(entry)
    try:
        done = subprocess.run(
            [executable, "-Tsvg"],
            input=to_dot(graph, marks),
            capture_output=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout[done.stdout.find("<svg") :]


def render_html(entries: list[Entry]) -> str:
    """A standalone page (no scripts): totals, and per definition its diagram and what was not reached."""
    covered, of = total(entries)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Workflow coverage</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}.missed{color:#c62828}"
        "</style></head><body>",
        f"<h1>Workflow coverage: {percent(covered, of):.1f}%</h1>",
        f"<p id='total'>{covered} of {of} elements covered in {len(entries)} definition(s). "
        "Green: reached; red: never reached.</p>",
    ]
    for entry in entries:
        hit, all_ = total([entry])
        parts.append(
            f"<section><h2>{html.escape(entry.shown)} ({html.escape(entry.name)}): {percent(hit, all_):.1f}%</h2>"
        )
        picture = svg(entry)
        if picture is not None:
            parts.append(f"<div class='diagram'>{picture}</div>")
        else:
            parts.append(
                "<p>Install Graphviz to see the diagram here. Its Mermaid source (GitHub renders it in Markdown):</p>"
                f"<pre class='mermaid'>{html.escape(diagram(entry))}</pre>"
            )
        parts.append("<table><tr><th>kind</th><th>covered</th><th>not reached</th></tr>")
        for kind in KINDS:
            got, count = entry.counts(kind)
            missed = "<br>".join(html.escape(m) for m in entry.missed(kind))
            parts.append(
                f"<tr><td>{LABELS[kind]}</td><td>{got}/{count}</td><td class='missed'>{missed}</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
