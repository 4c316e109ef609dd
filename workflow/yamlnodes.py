"""Walks over composed YAML nodes: the bounds a file must keep once aliases are expanded,
keys given twice, and where a path lies (to put a line on a schema problem).

Works on PyYAML's nodes, before anything is constructed, so a "billion laughs" file (a few
lines whose aliases expand to 10⁹ values) is refused in milliseconds instead of filling
memory in the schema check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Deepest nesting of lists and mappings (the real files nest five levels).
MAX_DEPTH = 50
#: Most values (scalars, lists and mappings) a file may hold, also once aliases are
#: expanded (the real files hold about 300).
MAX_VALUES = 10_000

_MERGE_TAG = "tag:yaml.org,2002:merge"

Loc = tuple[int | str, ...]


class Refused(Exception):
    """A problem found in the nodes, with where: the mark and the path."""

    def __init__(self, mark: yaml.Mark, loc: Sequence[int | str], problem: str) -> None:
        super().__init__(problem)
        self.mark, self.loc, self.problem = mark, tuple(loc), problem


def key_text(node: Node | None) -> str:
    """A key as written, for a path (``?`` for a key that is a list or a mapping)."""
    return node.value if isinstance(node, ScalarNode) else "?"


def _same_key(node: Node, part: int | str) -> bool:
    """Whether a key node is the path part (``on`` is the part ``true``, as pydantic says)."""
    if node.tag == "tag:yaml.org,2002:bool":
        return str(part) == str(node.value.lower() in ("yes", "true", "on")).lower()
    return key_text(node) == str(part)


def _children(node: Node, loc: Loc) -> list[tuple[Node, Loc]]:
    if isinstance(node, SequenceNode):
        return [(child, (*loc, i)) for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: list[tuple[Node, Loc]] = []
        for k, v in node.value:
            out += [(k, (*loc, key_text(k))), (v, (*loc, key_text(k)))]
        return out
    return []


def check_nodes(loader: SafeConstructor, root: Node) -> None:
    """Walk the composed nodes once (iteratively: aliases may chain deep): refuse duplicate
    keys, aliases that contain themselves, and files whose aliases expand past the bounds
    (a "billion laughs" file is a few lines that expand to 10⁹ values)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    # (node, its path, whether its children are done, the mark of the node holding it)
    stack: list[tuple[Node, Loc, bool, yaml.Mark]] = [(root, (), False, root.start_mark)]
    while stack:
        node, loc, done, held_at = stack.pop()
        nid = id(node)
        if nid in size:  # met before, so this is an alias: only its depth here is new
            if depth[nid] + len(loc) > MAX_DEPTH:
                raise Refused(held_at, loc, _DEEP_ALIASES)  # where the alias is, not its anchor
            continue
        kids = _children(node, loc)
        if done:
            open_.discard(nid)
            size[nid] = 1 + sum(size[id(k)] for k, _ in kids)
            depth[nid] = 1 + max((depth[id(k)] for k, _ in kids), default=0)
            if size[nid] > MAX_VALUES:
                raise Refused(node.start_mark, loc, _BOMB)
            if depth[nid] + len(loc) > MAX_DEPTH:
                raise Refused(node.start_mark, loc, _DEEP_ALIASES)
            continue
        if nid in open_:
            raise Refused(held_at, loc, "an alias that contains itself")
        open_.add(nid)
        if isinstance(node, MappingNode):
            _check_keys(loader, node, loc)
        stack.append((node, loc, True, held_at))
        stack.extend((k, kloc, False, node.start_mark) for k, kloc in reversed(kids))


_BOMB = f"holds over {MAX_VALUES:,} values once aliases are expanded (an alias bomb?)"
_DEEP_ALIASES = f"nested deeper than {MAX_DEPTH} levels once aliases are expanded"


def _check_keys(loader: SafeConstructor, node: MappingNode, loc: Loc) -> None:
    """Refuse a key given twice in one mapping, naming both lines (PyYAML keeps the last)."""
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first:
            raise Refused(
                key_node.start_mark,
                (*loc, key_text(key_node)),
                f"duplicate key {key_node.value!r} "
                + (
                    f"(lines {first[key]} and {line})"
                    if first[key] != line
                    else "(twice on the line)"
                ),
            )
        first[key] = line


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
