"""Reading declared files: safe YAML, then pydantic, with errors that name the file and path."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def format_path(loc: Sequence[int | str]) -> str:
    """Render a location tuple as ``transitions[3].dest``.

    Pydantic's ``[key]`` marker is dropped: the message says what is wrong with the key.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":
            out += ("." if out else "") + str(part)
    return out or "(top)"


YAML11_BOOLEAN = (
    "{value} is a YAML boolean (unquoted yes/no/on/off/true/false); quote it to use it as a name"
)


def sha256_text(text: str) -> str:
    """Hash of a file's exact text, so an audit event names the rules byte for byte."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_yaml(text: str, source: str) -> Any:
    """``yaml.safe_load`` with a one-line error naming the file and line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValueError(f"{source}:{where}: invalid YAML: {problem}") from exc


def validate(model: type[M], data: Any, source: str) -> tuple[M | None, list[str]]:
    """Validate into ``model``; return it or the list of ``file: path: message`` problems."""
    if not isinstance(data, dict):
        return None, [f"{source}: (top): expected a mapping, got {type(data).__name__}"]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg, loc = err["msg"], tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            elif err["type"] == "string_type" and isinstance(err.get("input"), bool):
                msg = YAML11_BOOLEAN.format(value=str(err["input"]).lower())
                if loc[-1:] == ("[key]",):
                    # pydantic reports a boolean mapping key as the integer 1 or 0
                    loc = (*loc[:-2], str(err["input"]).lower())
            problems.append(f"{source}: {format_path(loc)}: {msg}")
        return None, problems


def read_text(path: Path) -> str:
    """Read a declared file as UTF-8 text."""
    return path.read_text(encoding="utf-8")
