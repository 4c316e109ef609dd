"""Reading declared files: bytes, then UTF-8 text, then safe YAML, with bounds at each step.

A rules file is edited by staff while the service runs, so anything in it must end as a
refusal naming the file (and the line where there is one), never as an exception that
takes a request down: it is read only up to :data:`MAX_BYTES` (checked before reading),
decoded as UTF-8 only, and parsed by a loader that refuses duplicate keys, nesting deeper
than :data:`MAX_DEPTH`, aliases that expand past :data:`MAX_VALUES` values and aliases
that contain themselves. Schema checks are in :mod:`workflow.yamlschema`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Largest rules file read (the real ones are a few kilobytes); checked before reading.
MAX_BYTES = 1_000_000
#: Deepest nesting of lists and mappings (the real files nest five levels).
MAX_DEPTH = 50
#: Most values (scalars, lists and mappings) a file may hold once aliases are expanded.
MAX_VALUES = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)

Loc = tuple[int | str, ...]


class RulesFileError(ValueError):
    """A rules file that cannot be read, decoded or parsed; ``str()`` is the one-line
    message ``file: line L, column C: path: problem`` (line and path where known)."""

    def __init__(self, source: str, problem: str, line: int | None = None, column: int = 1) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f" line {line}, column {column}:" if line is not None else ""
        super().__init__(f"{source}:{where} {problem}")


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


def sha256_text(text: str) -> str:
    """Hash of a file's exact text, so an audit event names the rules byte for byte."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_rules_file(path: Path, source: str) -> str:
    """The text of a rules file, or :class:`RulesFileError`: the size is checked before
    anything is read, so a huge file costs one ``stat``; a file that grows meanwhile is
    never read past the limit."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise RulesFileError(source, "not a regular file")
        if st.st_size > MAX_BYTES:
            raise RulesFileError(source, _too_big(st.st_size))
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RulesFileError(source, f"cannot be read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise RulesFileError(source, _too_big(len(data)))
    return decode(data, source)


def _too_big(size: int) -> str:
    return f"{size:,} bytes is over the limit of {MAX_BYTES:,} bytes for a rules file"


def decode(data: bytes, source: str) -> str:
    """UTF-8 only (a byte order mark and CRLF line ends are fine; lines end in ``\\n``)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise RulesFileError(
                source,
                f"the file is {name} (it starts with a {name} byte order mark); "
                "rules files must be saved as UTF-8",
            )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise RulesFileError(
            source,
            f"byte 0x{data[exc.start]:02X} is not valid UTF-8; rules files must be saved "
            "as UTF-8 (not Windows-1257 or another code page)",
            line,
            column,
        ) from exc
    nul = text.find("\0")
    if nul >= 0:
        line, column = _text_position(text, nul)
        raise RulesFileError(
            source, "a NUL byte: rules files are UTF-8 text (is it UTF-16 or binary?)", line, column
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode(errors="replace")) + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


class _Loader(yaml.SafeLoader):
    """SafeLoader that stops at :data:`MAX_DEPTH` while composing (PyYAML's composer
    recurses once per level, so a deep file would otherwise end in RecursionError) and
    remembers the path being composed for the message."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.path: list[int | str] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        part: int | str = index if isinstance(index, int) else _key(index)
        self.path.append(part)
        try:
            if len(self.path) > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Refused(mark, self.path[1:], f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.path.pop()


def _key(node: Node | None) -> str:
    return node.value if isinstance(node, ScalarNode) else "?"


def _same_key(node: Node, part: int | str) -> bool:
    """Whether a key node is the path part (``on`` is the part ``true``, as pydantic says)."""
    if node.tag == "tag:yaml.org,2002:bool":
        return str(part) == str(node.value.lower() in ("yes", "true", "on")).lower()
    return _key(node) == str(part)


class _Refused(Exception):
    """A problem the loader found, with where."""

    def __init__(self, mark: yaml.Mark, loc: Sequence[int | str], problem: str) -> None:
        super().__init__(problem)
        self.mark, self.loc, self.problem = mark, tuple(loc), problem


def parse_yaml(text: str, source: str) -> Any:
    """Safe YAML within the bounds above, or :class:`RulesFileError` with file and line."""
    if len(text) > MAX_BYTES:
        raise RulesFileError(source, _too_big(len(text.encode("utf-8"))))
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_nodes(loader, root)
        return loader.construct_document(root)
    except _Refused as exc:
        where = f"{format_path(exc.loc)}: " if exc.loc else ""
        raise RulesFileError(
            source, where + exc.problem, exc.mark.line + 1, exc.mark.column + 1
        ) from None
    except yaml.reader.ReaderError as exc:
        line, column = _text_position(text, exc.position)
        raise RulesFileError(
            source, f"character U+{exc.character:04X} is not allowed in YAML", line, column
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _marked(exc, source) from None
    finally:
        loader.dispose()


def _marked(exc: yaml.MarkedYAMLError, source: str) -> RulesFileError:
    """PyYAML's error as one line; where the context began on another line, that too."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    cm = exc.context_mark
    if exc.context and cm is not None and mark is not None and cm.line != mark.line:
        problem += f" ({exc.context.rstrip('; ')} at line {cm.line + 1})"
    if mark is None:
        return RulesFileError(source, f"invalid YAML: {problem}")
    return RulesFileError(source, f"invalid YAML: {problem}", mark.line + 1, mark.column + 1)


def _children(node: Node, loc: Loc) -> list[tuple[Node, Loc]]:
    if isinstance(node, SequenceNode):
        return [(child, (*loc, i)) for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: list[tuple[Node, Loc]] = []
        for k, v in node.value:
            out += [(k, (*loc, _key(k))), (v, (*loc, _key(k)))]
        return out
    return []


def _check_nodes(loader: _Loader, root: Node) -> None:
    """Walk the composed nodes once (iteratively: aliases may chain deep): refuse duplicate
    keys, aliases that contain themselves, and files whose aliases expand past the bounds
    (a "billion laughs" file is a few lines that expand to 10⁹ values)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, Loc, bool]] = [(root, (), False)]
    while stack:
        node, loc, done = stack.pop()
        nid = id(node)
        if nid in size:  # met before (an alias): only its depth here is new
            if depth[nid] + len(loc) > MAX_DEPTH:
                raise _Refused(node.start_mark, loc, _DEEP_ALIASES)
            continue
        kids = _children(node, loc)
        if done:
            open_.discard(nid)
            size[nid] = 1 + sum(size[id(k)] for k, _ in kids)
            depth[nid] = 1 + max((depth[id(k)] for k, _ in kids), default=0)
            if size[nid] > MAX_VALUES:
                raise _Refused(
                    node.start_mark,
                    loc,
                    f"holds over {MAX_VALUES:,} values once aliases are expanded (an alias bomb?)",
                )
            if depth[nid] + len(loc) > MAX_DEPTH:
                raise _Refused(node.start_mark, loc, _DEEP_ALIASES)
            continue
        if nid in open_:
            raise _Refused(node.start_mark, loc, "an alias that contains itself")
        open_.add(nid)
        if isinstance(node, MappingNode):
            _check_keys(loader, node, loc)
        stack.append((node, loc, True))
        stack.extend((k, kloc, False) for k, kloc in reversed(kids))


_DEEP_ALIASES = f"nested deeper than {MAX_DEPTH} levels once aliases are expanded"


def _check_keys(loader: _Loader, node: MappingNode, loc: Loc) -> None:
    """Refuse a key given twice in one mapping, naming both lines (PyYAML keeps the last)."""
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first:
            raise _Refused(
                key_node.start_mark,
                (*loc, _key(key_node)),
                f"duplicate key {key_node.value!r} (lines {first[key]} and {line})",
            )
        first[key] = line


def compose(text: str) -> Node | None:
    """The node tree of a text that parses (to say where a problem is), or None."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, _Refused):
        return None
    finally:
        loader.dispose()


def node_at(root: Node | None, loc: Sequence[int | str]) -> tuple[int, int] | None:
    """Line and column of ``loc``: a mapping entry at its key, a list item at its start;
    what is missing at its nearest ancestor below the top; None if nothing below the top."""
    node, found = root, None
    for part in loc:
        if isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = found = node.value[part]
        elif isinstance(node, MappingNode):
            pair = next((kv for kv in node.value if _same_key(kv[0], part)), None)
            if pair is None:
                break
            found, node = pair
        else:
            break
    if found is None:
        return None
    return found.start_mark.line + 1, found.start_mark.column + 1
