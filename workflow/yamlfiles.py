"""Reading declared files: bytes, then UTF-8 text, then safe YAML, with bounds at each step.

A rules file is edited by staff while the service runs, so anything in it must end as a
refusal naming the file (and the line where there is one), never as an exception that
takes a request down: it is read only up to :data:`MAX_BYTES` (checked before reading),
decoded as UTF-8 only, and parsed by a loader that refuses duplicate keys, nesting deeper
than :data:`MAX_DEPTH`, aliases that expand past :data:`MAX_VALUES` values and aliases
that contain themselves (:mod:`workflow.yamlnodes`). Schema checks are in
:mod:`workflow.yamlschema`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from workflow.yamlnodes import MAX_DEPTH, MAX_VALUES, Refused, check_nodes, key_text

#: Largest rules file read (the real ones are a few kilobytes); checked before reading.
MAX_BYTES = 1_000_000
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


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


_MANY = f"holds over {MAX_VALUES:,} values (rules files hold a few hundred)"


class _Loader(yaml.SafeLoader):
    """SafeLoader that stops composing at :data:`MAX_DEPTH` levels (PyYAML's composer
    recurses once per level, so a deep file would otherwise end in RecursionError) and at
    :data:`MAX_VALUES` values (pure-Python YAML costs some 50 µs a value: a megabyte of
    ``[1,1,1,…]`` would hold a worker for a minute), remembering the path for the message."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.path: list[int | str] = []
        self.values = 0
        self.paths: dict[int, tuple[int | str, ...]] = {}

    def _mark(self) -> yaml.Mark:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call,no-any-return]

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        part: int | str = index if isinstance(index, int) else key_text(index)
        self.path.append(part)
        try:
            if len(self.path) > MAX_DEPTH:
                raise Refused(self._mark(), self.path[1:], f"nested deeper than {MAX_DEPTH} levels")
            if not self.check_event(yaml.AliasEvent):
                self.values += 1
                if self.values > MAX_VALUES:
                    raise Refused(self._mark(), self.path[1:], _MANY)
            node = super().compose_node(parent, index)
            if node is not None:
                self.paths.setdefault(id(node), tuple(self.path[1:]))
            return node
        finally:
            self.path.pop()

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        """``[[[[…`` is refused as soon as it is read: PyYAML's scanner looks ahead up to
        1,024 characters for each open bracket, a second's work before the composer sees
        the depth."""
        if self.flow_level >= MAX_DEPTH:
            mark = self.get_mark()
            raise Refused(mark, (), f"nested deeper than {MAX_DEPTH} levels")
        super().fetch_flow_collection_start(token_class)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """PyYAML's constructors raise plain ValueError, KeyError or AttributeError for
        ``!!int x``, ``!!bool maybe``, ``!!timestamp soon`` or the date ``2023-13-45``, and
        a tag error that names the tag alone: both are refused at the value's line and
        path instead."""
        try:
            return super().construct_object(node, deep)
        except yaml.constructor.ConstructorError as exc:
            if not str(exc.problem).startswith("could not determine a constructor"):
                raise
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {tag} is not allowed: rules files are plain data"
        except (ValueError, TypeError, ArithmeticError, LookupError, AttributeError):
            tag = node.tag.rsplit(":", 1)[-1]
            value = str(node.value) if isinstance(node, ScalarNode) else "the value"
            problem = f"{value if len(value) <= 40 else value[:40] + '…'!r} is not a valid {tag}"
        raise Refused(node.start_mark, self.paths.get(id(node), ()), problem)


def _exact_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    """A YAML float as the decimal written (``10000.00`` stays two places, ``0.1`` exact);
    the same forms as PyYAML's float: ``1_000.5``, ``.inf``, ``.nan``, base 60 ``1:30.5``."""
    value = str(loader.construct_scalar(node)).replace("_", "").lower()
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    if value in (".inf", ".nan"):
        return sign * Decimal(value[1:])
    result = Decimal(0)
    for part in value.split(":"):  # base 60, most significant first
        result = result * 60 + Decimal(part)
    return sign * result


_Loader.add_constructor("tag:yaml.org,2002:float", _exact_float)


def parse_yaml(text: str, source: str) -> Any:
    """Safe YAML within the bounds above, or :class:`RulesFileError` with file and line."""
    if len(text) > MAX_BYTES:
        raise RulesFileError(source, _too_big(len(text.encode("utf-8"))))
    try:
        loader = _Loader(text)  # refuses control characters at once
    except yaml.reader.ReaderError as exc:
        line, column = _text_position(text, exc.position)
        problem = f"character U+{exc.character:04X} is not allowed in YAML"
        raise RulesFileError(source, problem, line, column) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        check_nodes(loader, root)
        return loader.construct_document(root)
    except Refused as exc:
        where = format_path(exc.loc[:8]) + ("…" if len(exc.loc) > 8 else "")
        raise RulesFileError(
            source, f"{where}: {exc.problem}" if exc.loc else exc.problem, *_one_based(exc.mark)
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _marked(exc, source) from None
    finally:
        loader.dispose()


def _one_based(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _marked(exc: yaml.MarkedYAMLError, source: str) -> RulesFileError:
    """PyYAML's error as one line; where the context began on another line, that too."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    cm, context = exc.context_mark, (exc.context or "").rstrip("; ")
    if context.startswith("found duplicate anchor") and cm is not None and mark is not None:
        anchor = context.split()[3].rstrip(";")
        problem = f"duplicate anchor {anchor} (lines {cm.line + 1} and {mark.line + 1})"
    elif context and cm is not None and mark is not None and cm.line != mark.line:
        if context.startswith("while"):
            problem += f" ({context} at line {cm.line + 1})"
        else:  # "expected a single document in the stream … but found another document"
            problem = f"{context} at line {cm.line + 1}, {problem}"
    if mark is None:
        return RulesFileError(source, f"invalid YAML: {problem}")
    return RulesFileError(source, f"invalid YAML: {problem}", *_one_based(mark))


def compose(text: str) -> Node | None:
    """The node tree of a text that parses (to say where a problem is), or None."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError:
        return None
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, Refused):
        return None
    finally:
        loader.dispose()
