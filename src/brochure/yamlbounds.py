"""YAML for front matter: PyYAML's safe loader, held to bounds a page cannot talk its way past.

PyYAML's `safe_load` builds only plain data, but it will still nest lists 3000 deep
(Python's recursion limit, a crash), share one list through aliases until a title
stands for a billion values (any code that walks it runs for minutes), and hand back
values Python cannot hold or print: the date 2024-02-30, a number of 5000 digits, a
lone surrogate from `"\\ud800"`. `load` counts nesting and values while composing
(an alias counts at the full size of what it names, without expanding it) and checks
each scalar as it is constructed; anything past `limits` is a `BoundError` that
carries the YAML mark of the offending value and a hint, like any other YAML error.

libyaml (PyYAML's C parser, when installed) reads the events, six times faster than the
pure-Python scanner on a large front matter; the composing, where the bounds are kept,
is Python either way. A document libyaml rejects is read again by the pure-Python parser,
whose messages (and marks) are the ones users see.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import Node, ScalarNode
from yaml.resolver import Resolver

from . import limits

_SURROGATE = re.compile(r"[\ud800-\udfff]")


class BoundError(yaml.MarkedYAMLError):
    """A value past a bound, or one Python cannot hold; `problem_mark` says where."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _Bounds(Composer, SafeConstructor):
    """Depth, value-count and scalar checks, for either parser."""

    def _start(self) -> None:
        self._depth = 0
        self._values = 0
        self._sizes: dict[str, int] = {}  # anchor -> values it stands for
        self._open: set[str] = set()  # anchors whose value is being composed

    def _count(self, values: int, mark: Any) -> None:
        self._values += values
        if self._values > limits.YAML_VALUES:
            raise BoundError(
                f"the front matter holds more than {limits.YAML_VALUES} values once its "
                "aliases (*name) are expanded",
                mark,
                "write the values out instead of repeating aliases",
            )

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            alias = str(event.anchor)
            if alias in self._open:
                raise BoundError(
                    f"the alias *{alias} refers to the value it is part of",
                    event.start_mark,
                    "remove the alias",
                )
            self._count(self._sizes.get(alias, 1), event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > limits.STRUCTURE_DEPTH:
            raise BoundError(
                f"values nested more than {limits.STRUCTURE_DEPTH} levels deep",
                event.start_mark,
                "front matter keys hold text; flatten the lists and tables",
            )
        anchor: str | None = getattr(event, "anchor", None)
        before = self._values
        self._count(1, event.start_mark)
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)
        if anchor is not None:
            self._sizes[anchor] = self._values - before
        return node

    def construct_scalar(self, node: Any) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str):
            bad = _SURROGATE.search(value)
            if bad:
                code = f"\\u{ord(bad.group()):04x}"
                raise BoundError(
                    f"the text holds {code}, half of a surrogate pair, which is not a character",
                    node.start_mark,
                    f"remove the {code} escape or write the character itself",
                )
        return value


class BoundedLoader(_Bounds, yaml.SafeLoader):
    """`yaml.SafeLoader` (pure Python) with the bounds."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start()


try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML without libyaml: the pure-Python parser does it all
    FastBoundedLoader: type[BoundedLoader] | None = None
else:

    class _Fast(_Bounds, CParser, Resolver):
        """libyaml's events, composed and constructed in Python with the bounds."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start()

    FastBoundedLoader = _Fast  # type: ignore[assignment]


def _number(
    constructor: Any,
) -> Any:
    def construct(loader: BoundedLoader, node: ScalarNode) -> Any:
        text = str(node.value)
        if len(text) > limits.NUMBER_CHARS:
            raise BoundError(
                f"a number of {len(text)} characters (at most {limits.NUMBER_CHARS})",
                node.start_mark,
                'put long numbers in quotes: "…"',
            )
        return constructor(loader, node)

    return construct


def _timestamp(loader: BoundedLoader, node: ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise BoundError(
            f"'{node.value}' is not a real date ({exc})",
            node.start_mark,
            "write a real date as YYYY-MM-DD, or put the value in quotes",
        ) from None


for _loader in (BoundedLoader, FastBoundedLoader):
    if _loader is not None:
        _loader.add_constructor(
            "tag:yaml.org,2002:int", _number(SafeConstructor.construct_yaml_int)
        )
        _loader.add_constructor(
            "tag:yaml.org,2002:float", _number(SafeConstructor.construct_yaml_float)
        )
        _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load(text: str) -> Any:
    """Parse one YAML document within the bounds; raises `yaml.YAMLError` (`BoundError`)."""
    if FastBoundedLoader is not None:
        try:
            return FastBoundedLoader(text).get_single_data()
        except BoundError:
            raise
        except yaml.YAMLError:
            pass  # read again below, for the pure-Python parser's message and marks
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
