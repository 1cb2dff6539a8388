"""Templates (Jinja2, autoescaped: every value shown is escaped unless it is our own Markup)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from asl.console.runs import lane_groups, pretty
from asl.console.security import PAGE_HEADERS

_ENV = Environment(
    loader=PackageLoader("asl.console", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def when(epoch: float | None) -> str:
    """`2026-12-01 19:54:16.062` (UTC), or an empty string."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def duration(start: float | None, stop: float | None) -> str:
    """`1.234 s`, `2 min 3 s`, or an empty string."""
    if start is None or stop is None:
        return ""
    seconds = max(stop - start, 0.0)
    if seconds < 60:
        return f"{seconds:.3f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def name_of(arn: str) -> str:
    """The last part of an ARN (a state machine's or an execution's name)."""
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 and parts[5] in ("execution", "express") else parts[-1]


_ENV.filters["when"] = when
_ENV.filters["name_of"] = name_of
_ENV.filters["q"] = lambda value: quote(str(value), safe="")
_ENV.globals["duration"] = duration
_ENV.globals["pretty"] = pretty
_ENV.globals["event_json"] = lambda details: json.dumps(_expanded(details), indent=2, ensure_ascii=False)
_ENV.globals["lane_groups"] = lane_groups


def _expanded(value: Any) -> Any:
    """Event details with their JSON strings (input, output, parameters) shown as JSON."""
    if isinstance(value, dict):
        return {key: _expanded(item) for key, item in value.items()}
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def element_text(text: str) -> Markup:
    """Text for an element's content (never an attribute): `&`, `<` and `>` escaped, quotes kept.

    Autoescaping also turns every quote into `&#34;`, which nearly doubles a big JSON document.
    """
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def page(template: str, code: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page with the console's headers."""
    body = _ENV.get_template(template).render(**context)
    return HTMLResponse(body, code, headers=PAGE_HEADERS)
