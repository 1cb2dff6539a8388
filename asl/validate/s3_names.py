"""Literal S3 bucket names and object keys that S3 refuses (ItemReader, ResultWriter, S3 Tasks).

AWS accepts such a definition and fails when the state runs, so these are warnings: S3 answers
InvalidBucketName for a name no bucket can have, and KeyTooLongError for a key over 1,024 bytes.
Only literal values are checked; `Bucket.$` paths and JSONata `{% %}` expressions are known at run time.
"""

from __future__ import annotations

from typing import Any

from asl import s3
from asl.validate.diagnostic import Diagnostic, make
from asl.validate.walk import JSONATA, State, Tree, pointer_to

#: Task resources whose Parameters/Arguments name an S3 bucket and key.
_S3_TASKS = ("arn:aws:states:::s3:", "arn:aws:states:::aws-sdk:s3:")


def check_s3_names(tree: Tree) -> list[Diagnostic]:
    """Every literal Bucket, Key and Prefix given to S3."""
    found: list[Diagnostic] = []
    for state in tree.states:
        for holder in ("ItemReader", "ResultWriter"):
            sub = state.body.get(holder)
            if isinstance(sub, dict):
                found += _arguments(state, sub, (holder,))
        resource = state.body.get("Resource")
        if state.type == "Task" and isinstance(resource, str) and resource.startswith(_S3_TASKS):
            found += _arguments(state, state.body, ())
    return found


def _arguments(state: State, holder: dict[str, Any], where: tuple[str, ...]) -> list[Diagnostic]:
    field = "Arguments" if state.language == JSONATA else "Parameters"
    args = holder.get(field)
    if not isinstance(args, dict):
        return []
    found = []
    for name, check in (("Bucket", _bucket), ("Key", _key)):
        value = args.get(name)
        if isinstance(value, str) and not _is_expression(value):
            message = check(value)
            if message:
                found.append(
                    make("INVALID_S3_NAME", message, state.pointer + pointer_to(*where, field, name))
                )
    return found


def _is_expression(value: str) -> bool:
    text = value.strip()
    return text.startswith("{%") and text.endswith("%}")


def _bucket(name: str) -> str | None:
    problem = s3.bucket_name_problem(name)
    if problem:
        return f"No S3 bucket can be named {name!r} ({problem}): S3 answers InvalidBucketName when the state runs"
    warning = s3.bucket_name_warning(name)
    if warning:
        return (
            f"S3 bucket name {name!r} breaks today's naming rules ({warning}); only a bucket created before "
            "March 2018 in us-east-1 can have it"
        )
    return None


def _key(key: str) -> str | None:
    problem = s3.key_problem(key)
    return f"S3 refuses the object key {key[:40]!r}: {problem}" if problem else None
