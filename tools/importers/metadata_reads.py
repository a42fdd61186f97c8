"""Import how each components-contrib package reads its metadata, beyond the decoded structs.

``code_fields`` records the names ``DecodeMetadata`` fills; components also look names up
themselves, and their ``Init`` refuses some metadata. For every package a daprd registration
points at, this reads the Go code of the package and of the ``common/``/``internal/``
packages it calls into, and records:

- ``reads``: names looked up outside the decoder, with how they are matched. dapr/kit
  ``metadata.GetMetadataProperty(props, keys...)`` (and contrib's copy in ``metadata/utils.go``)
  lower-cases both sides, so its keys (alias lists such as ``azure.MetadataKeys["…"]...``
  included) match in any case: ``"any"``. An index into the properties map,
  ``meta.Properties["key"]``, matches only the exact spelling: ``"exact"``.
- ``prefixes``: keys read by prefix (``strings.HasPrefix(k, "header:")`` in a package that
  ranges over the properties map).
- ``required``: what ``Init`` refuses when it is missing. From each ``Init`` method the calls
  that run on every pass (top-level statements and ``if`` headers, transitively into the
  package's functions and into the followed packages) are followed; each top-level
  ``if <empty> { … return …error… }`` in them is a requirement. ``<empty>`` is ``x == ""``,
  ``len(x) == 0`` or ``!ok`` after a lookup, joined by ``||`` (each a requirement of its own)
  or ``&&`` (one of them is enough). ``x`` is traced back through local and struct-field
  assignments to a decoded field (its ``mapstructure`` name), a map index or a
  ``GetMetadataProperty`` call. Checks guarded by any other condition are conditional and are
  not recorded.
- ``init``: where the ``Init`` that was followed is, so a package whose code was read is
  told from one whose was not (no ``Init`` found: the metadata.yaml is all there is).

The reading is a token walk (``tools.importers.gofunc``), not a Go type checker; what it
cannot resolve it leaves out, so a requirement is recorded only when the code says it plainly.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.importers import code_fields
from tools.importers.daprd_components import CONTRIB_PREFIX, Source
from tools.importers.gofunc import (
    Branch,
    Function,
    all_chains,
    functions,
    matching,
    split_top,
    statements,
    string_constants,
    string_list_maps,
    top_level,
)
from tools.importers.gosource import IDENT, STRING, GoSourceError, Token, imports, tokenize
from tools.importers.source import SourceError

METADATA_READS_FILE = "metadata_reads.json"
# Followed packages: shared code (and any Go ``internal`` package), and the category packages'
# helpers (``pubsub.Concurrency`` reads ``concurrencyMode``): an exact name is only that one.
_FOLLOW = ("common/", "internal/")
_FOLLOW_EXACT = frozenset(
    {"metadata", "pubsub", "bindings", "state", "secretstores", "configuration", "lock"}
    | {"crypto", "nameresolution", "middleware", "workflows", "conversation"}
)
_MAX_DEPTH = 2
_MAX_TRACE = 4
# What daprd calls with a component's metadata: ``Init``; a lock store's ``InitLockStore``;
# an HTTP middleware's ``GetHandler``.
_ENTRY_POINTS = ("Init", "InitLockStore", "GetHandler")
_LOOKUPS = frozenset({"GetMetadataProperty", "GetMetadataPropertyWithMatchedKey"})
_PREFIX_CALLS = frozenset({"HasPrefix", "CutPrefix", "TrimPrefix"})
_UNWRAP = frozenset({"TrimSpace", "ToLower", "ToUpper", "Trim"})
# ``len(x) OP n`` tests for emptiness (or for a value).
_LENGTH_TESTS = frozenset({("==", ("0",)), ("!=", ("0",)), ("<", ("1",)), (">", ("0",))})
# The identifiers a component's own properties map goes by in components-contrib code.
_MAP_WORDS = ("prop", "meta", "md")


def _is_metadata_map(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _MAP_WORDS)


@dataclass
class _Pkg:
    directory: str
    functions: list[Function]
    constants: dict[str, str]
    lists: dict[str, dict[str, tuple[str, ...]]]
    imports: dict[str, str]
    fields: dict[str, str]  # Go field name -> metadata name, where unambiguous
    embedded: dict[str, set[str]] = field(default_factory=dict)  # struct -> embedded types
    messages: dict[str, str] = field(default_factory=dict)  # error variable -> its message

    def named(self, name: str, method: bool) -> list[Function]:
        return [f for f in self.functions if f.name == name and bool(f.receiver) == method]


@dataclass
class _Requirement:
    any_of: tuple[str, ...]
    exact: bool
    where: str
    error: str


@dataclass
class _Parse:
    """A value ``Init`` parses and refuses when the parse fails."""

    names: tuple[str, ...]
    exact: bool
    decoder: str  # a ``tools.dapr.godecode`` decoder: "strconv:int", "time:duration"…
    where: str
    error: str


@dataclass
class _Reads:
    names: dict[str, str] = field(default_factory=dict)  # name -> "any" | "exact"
    prefixes: set[str] = field(default_factory=set)
    ranges: bool = False

    def add(self, name: str, how: str) -> None:
        if name and self.names.get(name) != "any":
            self.names[name] = how


@dataclass(frozen=True)
class _Frame:
    """A function being read, with what its parameters were given at the call followed."""

    package: _Pkg
    function: Function
    arguments: Mapping[str, tuple[_Frame, tuple[Token, ...]]]
    caller: _Frame | None = None
    call_line: int = 0  # where the caller called this function

    def literal_keys(self, before: int) -> set[str]:
        """Field names a composite literal sets before line ``before`` of this function, or
        before the call in a caller on the path."""
        out: set[str] = set()
        frame: _Frame | None = self
        while frame is not None:
            out.update(_literal_keys(frame.function.body, before))
            before = frame.call_line
            frame = frame.caller
        return out


class _Reader:
    """Reads packages of one source once each and answers per component package."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.raw: dict[str, Any] = {}
        self.packages: dict[str, _Pkg | None] = {}

    def package(self, directory: str) -> _Pkg | None:
        if directory in self.packages:
            return self.packages[directory]
        raw = code_fields._package(self.source, directory, self.raw)
        if raw is None:
            self.packages[directory] = None
            return None
        found: list[Function] = []
        constants: dict[str, str] = {}
        lists: dict[str, dict[str, tuple[str, ...]]] = {}
        imported: dict[str, str] = {}
        messages: dict[str, str] = {}
        for name, text in sorted(raw.files.items()):
            try:
                tokens = tokenize(text)
                found.extend(functions(tokens, f"{directory}/{name}"))
            except GoSourceError:
                continue  # a file this reader cannot walk adds nothing
            constants.update(string_constants(tokens))
            messages.update(_error_variables(tokens))
            lists.update(string_list_maps(tokens))
            imported.update(imports(tokens))
        embedded: dict[str, set[str]] = {}
        for text in raw.files.values():
            for struct, type_name in _embedded_types(text):
                embedded.setdefault(struct, set()).add(type_name)
        package = _Pkg(directory, found, constants, lists, imported, {}, embedded, messages)
        self.packages[directory] = package
        return package

    def followed(self, package: _Pkg, alias: str) -> _Pkg | None:
        path = package.imports.get(alias, "")
        if not path.startswith(CONTRIB_PREFIX):
            return None
        rel = path[len(CONTRIB_PREFIX) :]
        followed = rel.startswith(_FOLLOW) or rel in _FOLLOW_EXACT or "/internal" in rel
        return self.package(rel) if followed else None

    def tree(self, root: _Pkg) -> list[_Pkg]:
        """The root package and the followed packages it imports, two levels deep."""
        out, queue, seen = [root], [(root, 0)], {root.directory}
        while queue:
            package, depth = queue.pop(0)
            if depth >= _MAX_DEPTH:
                continue
            for alias in sorted(package.imports):
                child = self.followed(package, alias)
                if child is not None and child.directory not in seen:
                    seen.add(child.directory)
                    out.append(child)
                    queue.append((child, depth + 1))
        return out


def _go_fields(reader: _Reader, directory: str, tree: Sequence[_Pkg]) -> dict[str, str]:
    """Go field name -> metadata name over the structs of every package in ``tree``."""
    names: dict[str, set[str]] = {}
    for package in tree:
        raw = reader.raw.get(package.directory)
        if raw is None:
            continue
        for struct in raw.structs.values():
            for code_field, _squash in struct:
                if code_field is not None and code_field.go_name:
                    names.setdefault(code_field.go_name, set()).add(code_field.name)
    out = {go: next(iter(tags)) for go, tags in names.items() if len(tags) == 1}
    for package in tree:
        raw = reader.raw.get(package.directory)
        for text in raw.files.values() if raw is not None else ():
            for go_name in _untagged_fields(text):
                out.setdefault(go_name, go_name)
    return out


def _embedded_types(text: str) -> Iterator[tuple[str, str]]:
    """(struct, embedded type) for each embedded field: a line with only a type name."""
    current = ""
    for raw in text.splitlines():
        line = raw.partition("//")[0].strip()
        words = line.split()
        if not current:
            if len(words) == 4 and words[0] == "type" and words[2:] == ["struct", "{"]:
                current = words[1]
            continue
        if line.startswith("}"):
            current = ""
            continue
        if len(words) == 1 or (len(words) == 2 and words[1].startswith("`")):
            name = words[0].lstrip("*").rpartition(".")[2]
            if name.isidentifier():
                yield current, name


def _untagged_fields(text: str) -> Iterable[str]:
    """Exported struct fields without a ``mapstructure`` tag: ``DecodeMetadata`` (mapstructure
    with its default tag name) fills them from the key equal to the Go name, in any case."""
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        words = line.split()
        if not inside:
            inside = len(words) == 4 and words[0] == "type" and words[2:] == ["struct", "{"]
            continue
        if line.startswith("}"):
            inside = False
            continue
        if len(words) < 2 or not words[0][:1].isupper() or not words[0].isidentifier():
            continue
        tag = line.partition("`")[2]
        if "mapstructure:" not in tag:
            yield words[0]


class _Component:
    """One component package: its tree of packages and the answers for it."""

    def __init__(self, reader: _Reader, root: _Pkg) -> None:
        self.reader = reader
        self.root = root
        self.tree = reader.tree(root)
        self.fields = _go_fields(reader, root.directory, self.tree)
        self.parses: list[_Parse] = []
        self.messages = {k: v for package in self.tree for k, v in package.messages.items()}

    # --- strings ---------------------------------------------------------------------------

    def strings(self, package: _Pkg, expr: Sequence[Token]) -> tuple[str, ...] | None:
        """The string(s) an argument stands for: a literal, a constant, or
        ``pkg.List["key"]...`` of a string-list map."""
        texts = [t.text for t in expr]
        if texts and texts[-1] == "...":
            expr, texts = expr[:-1], texts[:-1]
            if len(expr) >= 4 and texts[-1] == "]" and expr[-2].kind == STRING:
                target, name = self._qualified(package, expr[: texts.index("[")])
                if target is not None:
                    return target.lists.get(name, {}).get(expr[-2].value)
            return None
        if len(expr) == 1 and expr[0].kind == STRING:
            return (expr[0].value,)
        target, name = self._qualified(package, expr)
        if target is not None and name in target.constants:
            return (target.constants[name],)
        return None

    def _qualified(self, package: _Pkg, expr: Sequence[Token]) -> tuple[_Pkg | None, str]:
        if len(expr) == 1 and expr[0].kind == IDENT:
            return package, expr[0].text
        if len(expr) == 3 and expr[1].text == "." and expr[0].kind == IDENT:
            return self.reader.followed(package, expr[0].text), expr[2].text
        return None, ""

    # --- what an expression reads ----------------------------------------------------------

    def lookup(self, package: _Pkg, expr: Sequence[Token]) -> tuple[tuple[str, ...], bool] | None:
        """Names a ``GetMetadataProperty`` call or a map index reads (and whether exactly)."""
        for i, tok in enumerate(expr):
            if tok.kind == IDENT and tok.text in _LOOKUPS and i + 1 < len(expr):
                if expr[i + 1].text != "(":
                    continue
                end = matching(expr, i + 1)
                args = split_top(expr[i + 2 : end], ",")
                names: list[str] = []
                for arg in args[1:]:
                    found = self.strings(package, arg)
                    if found is None:
                        return None
                    names.extend(found)
                return (tuple(names), False) if names else None
        if len(expr) >= 4 and expr[-1].text == "]":
            try:
                opening = next(
                    i
                    for i in range(len(expr))
                    if expr[i].text == "[" and i and matching(expr, i) == len(expr) - 1
                )
            except StopIteration:
                return None
            base = [t for t in expr[:opening] if t.kind == IDENT]
            if not base or not _is_metadata_map(base[-1].text):
                return None
            found = self.strings(package, expr[opening + 1 : -1])
            return (found, True) if found else None
        return None

    def trace(
        self, frame: _Frame, expr: Sequence[Token], depth: int = 0
    ) -> tuple[tuple[str, ...], bool] | None:
        """The metadata names ``expr`` holds: a lookup, a decoded field, or a variable,
        parameter or struct field assigned from one of those."""
        if depth > _MAX_TRACE or not expr:
            return None
        expr = _unwrapped(expr)
        looked = self.lookup(frame.package, expr)
        if looked is not None:
            return looked
        if not all(t.kind == IDENT or t.text == "." for t in expr):
            return None
        last = expr[-1].text
        if len(expr) > 1 and last in self.fields:
            if last in frame.literal_keys(expr[-1].line):
                return None  # a composite literal sets it before decoding: never empty
            return (self.fields[last],), False
        if len(expr) == 1:
            value = _assigned(frame.function.body, last, local=True)
            given = frame.arguments.get(last)
            if given is not None:
                return self.trace(given[0], given[1], depth + 1)
            if last in frame.function.params:
                return None  # a parameter the call followed did not bind
            return self.trace(frame, value, depth + 1) if value else None
        for candidate in self.tree:
            for other in candidate.functions:
                value = _assigned(other.body, last, local=False)
                if value:
                    return self.trace(_Frame(candidate, other, {}), value, depth + 1)
        return None

    # --- requirements ----------------------------------------------------------------------

    def _inits(self) -> list[_Frame]:
        """The ``Init`` methods daprd calls: the package's own or, for a package that only
        wraps a shared implementation (``state/postgresql/v1``), those of the packages it
        imports."""
        own = _component_inits(self.root)
        if own:
            return [_Frame(self.root, f, {}) for f in own]
        direct = [self.reader.followed(self.root, alias) for alias in sorted(self.root.imports)]
        return [
            _Frame(package, f, {})
            for package in direct
            if package is not None
            for f in _component_inits(package)
        ]

    def requirements(self) -> tuple[list[_Requirement], str | None]:
        self.parses = []
        inits = self._inits()
        if not inits:
            return [], None
        out: list[_Requirement] = []
        seen: set[tuple[str, str, int]] = set()
        queue = list(inits)
        while queue:
            frame = queue.pop(0)
            function = frame.function
            key = (function.file, function.name, function.line)
            if key in seen:
                continue
            seen.add(key)
            found, callees = self._walk(frame)
            out.extend(found)
            queue.extend(callees)
        first = inits[0].function
        return _unique(out), f"{first.file}:{first.line} {first.receiver}.{first.name}"

    def _callees(self, frame: _Frame, tokens: Sequence[Token]) -> list[_Frame]:
        """The functions the calls in ``tokens`` may run, each with its arguments bound."""
        package, current = frame.package, frame.function
        out: list[_Frame] = []
        for i, tok in enumerate(tokens):
            if tok.kind != IDENT or i + 1 >= len(tokens) or tokens[i + 1].text != "(":
                continue
            if i and tokens[i - 1].kind == IDENT and tokens[i - 1].text == "func":
                continue
            qualified = i >= 2 and tokens[i - 1].text == "." and tokens[i - 2].kind == IDENT
            rooted = qualified and (i < 3 or tokens[i - 3].text != ".")
            found: list[tuple[_Pkg, Function]] = []
            selector = tokens[i - 2].text if qualified else ""
            if not qualified:
                found = [(package, f) for f in package.named(tok.text, method=False)]
            elif rooted and (target := self.reader.followed(package, tokens[i - 2].text)):
                found = [(target, f) for f in target.named(tok.text, method=False)]
            elif rooted and tokens[i - 2].text == current.receiver_var:
                found = [
                    (package, f)
                    for f in package.named(tok.text, method=True)
                    if f.receiver == current.receiver
                ]
            if rooted and not found and selector == current.receiver_var:
                promoted = self._embedded(current.receiver)
                found = [
                    (candidate, f)
                    for candidate in self.tree
                    for f in candidate.named(tok.text, method=True)
                    if f.receiver in promoted
                ]
            if qualified and not found:  # a method of a field, or one an embedded struct promotes
                found = _one_receiver(
                    [
                        (candidate, f)
                        for candidate in self.tree
                        for f in candidate.named(tok.text, method=True)
                        if f is not current
                    ],
                    selector,
                    package,
                )
            if not found:
                continue
            args = split_top(tokens[i + 2 : matching(tokens, i + 1)], ",")
            for target_package, function in found:
                bound = {
                    name: (frame, arg)
                    for name, arg in zip(function.params, args, strict=False)
                    if arg
                }
                out.append(_Frame(target_package, function, bound, frame, tok.line))
        return out

    def _walk(self, frame: _Frame) -> tuple[list[_Requirement], list[_Frame]]:
        """The requirements a function states on every pass, and the calls it makes on every
        pass. An early ``return`` that is not an error makes what follows conditional: when
        its condition is that names are set, later checks hold with those names empty (and
        later calls are no longer followed); any other condition ends the walk."""
        out: list[_Requirement] = []
        for parse, every_pass in self._parses(frame, frame.function.body, 0):
            self.parses.append(parse)
            if every_pass:
                out.append(_Requirement(parse.names, parse.exact, parse.where, parse.error))
        callees: list[_Frame] = []
        guard: list[str] = []
        guard_exact = True
        follow = True
        for piece in statements(frame.function.body):
            if not piece:
                continue
            if isinstance(piece[0], Token):
                if follow:
                    callees.extend(self._callees(frame, piece))
                continue
            chain: list[Branch] = piece
            if follow:
                callees.extend(self._callees(frame, (*chain[0].init, *chain[0].condition)))
            out.extend(self._chain_checks(frame, chain, guard, guard_exact))
            if not any(_returns(arm.block) == "other" for arm in chain):
                continue
            test = self._test(frame, chain[0].init, chain[0].condition)
            if len(chain) > 1 or test is None or test[2]:
                break
            guard.extend(test[0])
            guard_exact = guard_exact and test[1]
            follow = False
        return out, callees

    def _parses(
        self, frame: _Frame, body: Sequence[Token], depth: int
    ) -> Iterable[tuple[_Parse, bool]]:
        """Values parsed with ``strconv``/``time.ParseDuration`` whose error is returned at
        once (``v, err := strconv.Atoi(m.X)`` then ``if err != nil { return … }``), on every
        pass or inside an ``if`` that runs when the value is set; each with whether it runs
        on every pass (then an empty value fails too: Go parses no empty string)."""
        pending: list[tuple[str, tuple[Token, ...], str, int]] = []
        every_pass = depth == 0
        for piece in statements(body):
            if not piece:
                continue
            if isinstance(piece[0], Token):
                pending = list(_parse_calls(piece))
                continue
            chain: list[Branch] = piece
            first = chain[0]
            pending += _parse_calls(first.init)
            failure = _error_returned(first.block, self.messages)
            checked = _nil_test(first.condition)
            if failure is not None and checked:
                for error_var, expr, decoder, line in pending:
                    if error_var != checked:
                        continue
                    traced = self.trace(frame, expr)
                    if traced is not None:
                        where = f"{frame.function.file}:{line} {_qualname(frame.function)}"
                        parse = _Parse(traced[0], traced[1], decoder, where, failure)
                        yield parse, every_pass
            pending = []
            if depth < 2:
                for arm in chain:
                    if not arm.is_else and self._set_test(frame, arm):
                        yield from self._parses(frame, arm.block, depth + 1)
            if any(_returns(arm.block) == "other" for arm in chain):
                return  # what follows runs only under that arm's condition

    def _set_test(self, frame: _Frame, arm: Branch) -> bool:
        """Whether an arm runs only when its values are set (``x != ""``, ``ok && v != ""``)."""
        tests = [self._test(frame, arm.init, c) for c in split_top(arm.condition, "&&")]
        return bool(tests) and all(t is not None and not t[2] for t in tests)

    def _embedded(self, struct: str, depth: int = 0) -> set[str]:
        """The types embedded in ``struct`` (and in those, two levels down)."""
        out: set[str] = set()
        for package in self.tree:
            for name in package.embedded.get(struct, ()):
                out.add(name)
                if depth < 2:
                    out |= self._embedded(name, depth + 1)
        return out

    def _chain_checks(
        self, frame: _Frame, chain: Sequence[Branch], guard: Sequence[str], guard_exact: bool
    ) -> Iterable[_Requirement]:
        """Requirements an ``if`` chain states: an arm returning an error when its condition
        tests for emptiness, with what the earlier arms (and ``guard``) already found empty."""
        earlier: list[str] = list(guard)
        earlier_exact = guard_exact
        function = frame.function
        for branch in chain:
            failure = _error_returned(branch.block, self.messages)
            where = f"{function.file}:{branch.line} {_qualname(function)}"
            if branch.is_else:
                if failure is not None and len(earlier) > len(guard):
                    yield _Requirement(tuple(dict.fromkeys(earlier)), earlier_exact, where, failure)
                return
            if failure is not None:
                for disjunct in split_top(branch.condition, "||"):
                    names: list[str] = list(earlier)
                    exact = earlier_exact
                    for conjunct in split_top(disjunct, "&&"):
                        traced = self._test(frame, branch.init, conjunct)
                        if traced is None or not traced[2]:
                            names = []
                            break
                        names.extend(traced[0])
                        exact = exact and traced[1]
                    if names and not {n.lower() for n in names} <= {n.lower() for n in earlier}:
                        # (a test of only names already known empty here is about another
                        # value of the same Go name, such as a JSON document's field)
                        yield _Requirement(tuple(dict.fromkeys(names)), exact, where, failure)
            negated = self._test(frame, branch.init, branch.condition)
            if negated is None or negated[2]:
                return  # later arms run under a condition that is not about emptiness
            earlier.extend(negated[0])
            earlier_exact = earlier_exact and negated[1]

    def _test(
        self, frame: _Frame, init: Sequence[Token], atom: Sequence[Token]
    ) -> tuple[tuple[str, ...], bool, bool] | None:
        """What a test is about: the names, whether matched exactly, and whether it is true
        when they are empty (``x == ""``, ``len(x) == 0``, ``!ok``) or when they are set
        (``x != ""``, ``len(x) > 0``, ``ok``)."""
        atom = _without_parens(atom)
        texts = [t.text for t in atom]
        negated = len(atom) == 2 and texts[0] == "!"
        if len(atom) == 1 or negated:
            name = atom[-1]
            if name.kind != IDENT:
                return None
            body = frame.function.body
            source = _bound_with(init, name.text) or _bound_with(body, name.text)
            found = self.lookup(frame.package, source) if source else None
            return (found[0], found[1], negated) if found else None
        chosen = next(
            (
                (operator, empty, sides)
                for operator, empty in (("==", True), ("!=", False), ("<", True), (">", False))
                if len(sides := split_top(atom, operator)) == 2
            ),
            None,
        )
        if chosen is None:
            return None
        operator, empty, sides = chosen
        left, right = sides
        if [t.text for t in left] in (['""'], ["0"]):
            left, right = right, left
            if operator in {"<", ">"}:
                return None
        wanted = tuple(t.text for t in right)
        if wanted == ('""',) and operator in {"==", "!="}:
            found = self.trace(frame, left)
        elif left and left[0].text == "len" and len(left) > 3 and left[1].text == "(":
            if matching(left, 1) != len(left) - 1:
                return None
            if (operator, wanted) not in _LENGTH_TESTS:
                return None
            found = self.trace(frame, left[2:-1])
        else:
            return None
        return (found[0], found[1], empty) if found else None

    # --- pairs -----------------------------------------------------------------------------

    def pairs(self) -> list[tuple[tuple[str, ...], str]]:
        """Fields the code uses only together: every use of each is inside (or is the test of)
        an ``if a != "" && b != "" {…}`` with no ``else``, so one given without the others has
        no effect. (metadata names, where the first such ``if`` is)."""
        found: dict[tuple[str, ...], str] = {}
        guarded: dict[str, set[int]] = {}
        for package in self.tree:
            for function in package.functions:
                for chain in all_chains(function.body):
                    arm = chain[0]
                    if len(chain) > 1 or arm.init:
                        continue
                    names = [_set_field(c) for c in split_top(arm.condition, "&&")]
                    if len(names) < 2 or not all(n in self.fields for n in names if n):
                        continue
                    if None in names or len(set(names)) < len(names):
                        continue
                    key = tuple(sorted(str(n) for n in names))
                    where = f"{function.file}:{arm.line} {_qualname(function)}"
                    found.setdefault(key, where)
                    inside = {id(t) for t in (*arm.condition, *arm.block)}
                    for name in key:
                        guarded.setdefault(name, set()).update(inside)
        out = []
        for key, where in found.items():
            if all(id(tok) in guarded[name] for name in key for tok in self._selected(name)):
                out.append((tuple(self.fields[name] for name in key), where))
        return out

    def _selected(self, go_name: str) -> Iterator[Token]:
        """Every ``x.Name`` in the function bodies of the tree."""
        for package in self.tree:
            for function in package.functions:
                body = function.body
                for i in range(1, len(body)):
                    if body[i].text == go_name and body[i - 1].text == ".":
                        yield body[i]

    # --- reads -----------------------------------------------------------------------------

    def reads(self) -> _Reads:
        out = _Reads()
        seen: set[tuple[str, str, int]] = set()
        queue = [_Frame(self.root, f, {}) for f in self.root.functions]
        while queue:
            frame = queue.pop(0)
            function = frame.function
            key = (function.file, function.name, function.line)
            if key in seen:
                continue
            seen.add(key)
            self._reads_in(frame.package, function.body, out)
            queue.extend(self._callees(frame, function.body))
        return out

    def _reads_in(self, package: _Pkg, body: Sequence[Token], out: _Reads) -> None:
        keys: set[str] = set()  # loop variables holding the keys of the properties map
        for i, tok in enumerate(body):
            if tok.kind != IDENT or i + 1 >= len(body):
                continue
            if tok.text in _LOOKUPS and body[i + 1].text == "(":
                found = self.lookup(package, body[i : matching(body, i + 1) + 1])
                for name in found[0] if found else ():
                    out.add(name, "any")
            elif tok.text in _PREFIX_CALLS and body[i + 1].text == "(":
                args = split_top(body[i + 2 : matching(body, i + 1)], ",")
                if len(args) != 2 or [t.text for t in args[0]] not in [[k] for k in keys]:
                    continue
                prefix = self.strings(package, args[1])
                if prefix and prefix[0]:
                    out.prefixes.add(prefix[0])
            elif tok.text == "range":
                target = list(itertools.takewhile(lambda t: t.text != "{", body[i + 1 : i + 6]))
                idents = [t.text for t in target if t.kind == IDENT]
                if idents and _is_metadata_map(idents[-1]):
                    out.ranges = True
                    key = _range_key(body, i)
                    if key:
                        keys.add(key)
            elif body[i + 1].text == "[" and _is_metadata_map(tok.text) and tok.text != "Metadata":
                # ``req.Metadata[…]`` is a request's metadata, not the component's
                end = matching(body, i + 1)
                if end + 1 < len(body) and body[end + 1].text == "...":
                    continue  # an alias list (``azure.MetadataKeys["…"]...``), not a read
                keyed = self.strings(package, body[i + 2 : end])
                for name in keyed or ():
                    out.add(name, "exact")


_PARSERS = {
    ("strconv", "Atoi"): "strconv:int",
    ("strconv", "ParseBool"): "strconv:bool",
    ("time", "ParseDuration"): "time:duration",
}
_SIZED = {("strconv", "ParseInt"): "int", ("strconv", "ParseUint"): "uint"}


def _parse_calls(tokens: Sequence[Token]) -> Iterator[tuple[str, tuple[Token, ...], str, int]]:
    """``…, err := strconv.Atoi(x)``: (the error variable, ``x``, the decoder, line)."""
    for i in range(2, len(tokens) - 3):
        if tokens[i - 1].text != "." or tokens[i + 1].text != "(":
            continue
        key = (tokens[i - 2].text, tokens[i].text)
        args = split_top(tokens[i + 2 : matching(tokens, i + 1)], ",")
        decoder = _PARSERS.get(key)
        if key in _SIZED and len(args) == 3 and [t.text for t in args[1]] == ["10"]:
            bits = [t.text for t in args[2]]
            if bits in (["0"], ["8"], ["16"], ["32"], ["64"]):
                size = "" if bits == ["0"] else bits[0]
                decoder = f"strconv:{_SIZED[key]}{size}"
        if decoder is None or not args or not args[0]:
            continue
        j = i - 3  # back over ``pkg.`` to the assignment
        if j < 1 or tokens[j].text not in {":=", "="} or tokens[j - 1].kind != IDENT:
            continue
        yield tokens[j - 1].text, args[0], decoder, tokens[i].line


def _nil_test(condition: Sequence[Token]) -> str | None:
    """``err != nil``: the variable tested."""
    texts = [t.text for t in condition]
    return texts[0] if len(texts) == 3 and texts[1:] == ["!=", "nil"] else None


def _component_inits(package: _Pkg) -> list[Function]:
    """``Init`` methods shaped as a component's: ``Init(ctx, metadata)``. A one-argument
    ``Init`` belongs to a helper type (bindings/kitex's per-request ``kitexContext``)."""
    return [
        f for name in _ENTRY_POINTS for f in package.named(name, method=True) if len(f.params) != 1
    ]


def _one_receiver(
    found: list[tuple[_Pkg, Function]], selector: str, caller: _Pkg
) -> list[tuple[_Pkg, Function]]:
    """Of the methods a call ``x.sel.Name()`` may reach, those of one receiver type: the type
    the selector names (an embedded struct is reached by its type's name), else the only
    one in the caller's package, else the only one there is; none when that is unclear."""
    for narrowed in (
        [(p, f) for p, f in found if f.receiver == selector],
        [(p, f) for p, f in found if p is caller],
        found,
    ):
        if narrowed:
            return narrowed if len({f.receiver for _p, f in narrowed}) == 1 else []
    return []


def _set_field(test: Sequence[Token]) -> str | None:
    """``x.Field != ""``: the Go field name."""
    texts = [t.text for t in test]
    selector = all(t.kind == IDENT or t.text == "." for t in test[:-2])
    if len(test) >= 5 and texts[-2:] == ["!=", '""'] and texts[-4] == "." and selector:
        return texts[-3]
    return None


def _literal_keys(body: Sequence[Token], before: int) -> Iterator[str]:
    """Field names given a value in a composite literal (``T{Name: v, …}``) before a line."""
    for i in range(1, len(body) - 2):
        if body[i].line >= before:
            return
        keyed = body[i].kind == IDENT and body[i + 1].text == ":" and body[i - 1].text in "{,"
        if keyed and body[i + 2].text not in {'""', "nil"}:  # an empty default is no default
            yield body[i].text


def _range_key(body: Sequence[Token], at: int) -> str:
    """The key variable of ``for k, v := range m`` whose ``range`` is at ``at``."""
    for j in range(at - 1, max(at - 6, 0) - 1, -1):
        if body[j].kind == IDENT and body[j].text == "for":
            key = body[j + 1]
            return key.text if key.kind == IDENT and key.text != "_" else ""
    return ""


def _qualname(function: Function) -> str:
    return f"{function.receiver}.{function.name}" if function.receiver else function.name


def _unique(found: Iterable[_Requirement]) -> list[_Requirement]:
    out: dict[tuple[str, ...], _Requirement] = {}
    for requirement in found:
        out.setdefault(tuple(sorted(n.lower() for n in requirement.any_of)), requirement)
    return list(out.values())


def _without_parens(tokens: Sequence[Token]) -> Sequence[Token]:
    while len(tokens) > 2 and tokens[0].text == "(" and matching(tokens, 0) == len(tokens) - 1:
        tokens = tokens[1:-1]
    return tokens


def _unwrapped(expr: Sequence[Token]) -> Sequence[Token]:
    """``strings.TrimSpace(x)`` and the like: ``x``."""
    expr = _without_parens(expr)
    for _ in range(3):
        if (
            len(expr) > 4
            and expr[0].text == "strings"
            and expr[1].text == "."
            and expr[2].text in _UNWRAP
            and expr[3].text == "("
            and matching(expr, 3) == len(expr) - 1
        ):
            expr = split_top(expr[4:-1], ",")[0]
    return expr


def _bound_with(tokens: Sequence[Token], ok_name: str) -> Sequence[Token] | None:
    """The right-hand side of ``v, ok := rhs`` (or ``=``) binding ``ok_name``."""
    for i in range(len(tokens) - 3):
        binds = tokens[i].text == "," and tokens[i + 1].text == ok_name
        if binds and tokens[i + 2].text in {":=", "="}:
            return _to_line_end(tokens, i + 3)
    return None


def _assigned(tokens: Sequence[Token], name: str, local: bool) -> Sequence[Token] | None:
    """The right-hand side of the first ``name := rhs`` / ``name = rhs`` (``local``), or of
    ``x.name = rhs`` (a struct field)."""
    for i in range(1, len(tokens) - 2) if not local else range(len(tokens) - 2):
        tok = tokens[i]
        if tok.kind != IDENT or tok.text != name or tokens[i + 1].text not in {":=", "="}:
            continue
        before = tokens[i - 1].text if i else ""
        if local and before in {".", ","}:
            continue
        if not local and before != ".":
            continue
        if local and i and tokens[i - 1].line == tok.line and before not in {"{", ";", "}"}:
            continue  # not the start of a statement
        return _to_line_end(tokens, i + 2)
    return None


def _to_line_end(tokens: Sequence[Token], start: int) -> Sequence[Token]:
    end = start
    depth = 0
    while end < len(tokens):
        text = tokens[end].text
        if text in "([{":
            depth += 1
        elif text in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and tokens[end].line != tokens[start].line:
            break
        end += 1
    return tokens[start:end]


def _returns(block: Sequence[Token]) -> str | None:
    """Whether a block returns at its top level: ``"error"``, ``"other"`` or None."""
    top = [block[s] for kind, s, _e in top_level(block) if kind == "token"]
    if not any(t.kind == IDENT and t.text == "return" for t in top):
        return None
    return "error" if _error_returned(block) is not None else "other"


def _error_returned(
    block: Sequence[Token], messages: Mapping[str, str] | None = None
) -> str | None:
    """The message of the error the block returns at its top level ("" when it has none), or
    None when it does not return an error. ``messages``: package-level error variables
    (``errX = errors.New("…")``) by name."""
    top = [block[s] for kind, s, _e in top_level(block) if kind == "token"]
    for tok in top:
        if tok.kind != IDENT or tok.text != "return":
            continue
        start = block.index(tok)
        rest = _to_line_end(block, start + 1) if start + 1 < len(block) else ()
        if not rest:
            return None
        last = split_top(rest, ",")[-1]
        texts = [t.text for t in last]
        if texts in (["nil"], ["true"], ["false"]) or not last:
            return None
        error_like = any(t.kind == IDENT and "err" in t.text.lower() for t in last)
        if not error_like:
            return None
        message = next((t.value for t in last if t.kind == STRING), "")
        if not message and len(last) == 1 and messages:
            message = messages.get(last[0].text, "")
        return message
    return None


def _error_variables(tokens: Sequence[Token]) -> Iterator[tuple[str, str]]:
    """``errX = errors.New("message")`` anywhere in a file."""
    for i in range(len(tokens) - 6):
        if (
            tokens[i].kind == IDENT
            and tokens[i + 1].text == "="
            and [t.text for t in tokens[i + 2 : i + 6]] == ["errors", ".", "New", "("]
            and tokens[i + 6].kind == STRING
        ):
            yield tokens[i].text, tokens[i + 6].value


@dataclass
class ReadsReport:
    source: str
    packages: int = 0
    with_init: int = 0
    requirements: int = 0
    missing: list[str] = field(default_factory=list)
    older: dict[str, int] = field(default_factory=dict)  # release -> packages that differ

    def __str__(self) -> str:
        lines = [
            f"read {self.packages} package(s) from {self.source}: {self.with_init} with an "
            f"Init followed, {self.requirements} requirement(s)"
        ]
        lines += [
            f"Dapr {release}: {count} package(s) read differently"
            for release, count in self.older.items()
        ]
        lines += [f"no such package: {p}" for p in self.missing]
        return "\n".join(lines)


def package_facts(reader: _Reader, directory: str) -> dict[str, Any] | None:
    root = reader.package(directory)
    if root is None:
        return None
    component = _Component(reader, root)
    required, init = component.requirements()
    parses = component.parses
    reads = component.reads()
    entry: dict[str, Any] = {}
    if init:
        entry["init"] = init
    if reads.names:
        entry["reads"] = {k: reads.names[k] for k in sorted(reads.names, key=str.lower)}
    if reads.prefixes and reads.ranges:
        entry["prefixes"] = sorted(reads.prefixes)
    if required:
        entry["required"] = [
            {
                "any_of": list(r.any_of),
                **({"exact": True} if r.exact else {}),
                "where": r.where,
                "error": r.error,
            }
            for r in required
        ]
    pairs = component.pairs()
    if pairs:
        entry["pairs"] = sorted(
            ({"all_of": list(names), "where": where} for names, where in pairs),
            key=lambda p: [n.lower() for n in p["all_of"]],
        )
    parsed: dict[str, dict[str, Any]] = {}
    for parse in parses:
        for name in parse.names:
            parsed.setdefault(
                name,
                {
                    "decoder": parse.decoder,
                    **({"exact": True} if parse.exact else {}),
                    "where": parse.where,
                    "error": parse.error,
                },
            )
    if parsed:
        entry["parsed"] = {k: parsed[k] for k in sorted(parsed, key=str.lower)}
    return entry


def release_packages(releases: Mapping[str, Any]) -> list[str]:
    """The packages of types only an older supported release registers (``releases.json``)."""
    found = set()
    for change in releases.get("components", {}).values():
        entry = change.get("entry", {}) if isinstance(change, dict) else {}
        for package in entry.get("versions", {}).values():
            if isinstance(package, str):
                found.add(package)
    return sorted(found)


def _same_meaning(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two packages' facts say the same, line numbers aside."""

    def meaning(facts: Mapping[str, Any]) -> Any:
        required = [
            (r["any_of"], r.get("exact"), r.get("error")) for r in facts.get("required", ())
        ]
        parsed = {k: v["decoder"] for k, v in facts.get("parsed", {}).items()}
        pairs = [p["all_of"] for p in facts.get("pairs", ())]
        return ("init" in facts, facts.get("reads"), facts.get("prefixes"), required, parsed, pairs)

    return bool(meaning(a) == meaning(b))


def _read_all(
    source: Source, packages: Iterable[str], report: ReadsReport | None
) -> dict[str, Any]:
    reader = _Reader(source)
    out: dict[str, Any] = {}
    for directory in sorted(set(packages)):
        try:
            facts = package_facts(reader, directory)
        except SourceError:
            facts = None
        if facts is None:
            if report is not None:
                report.missing.append(directory)
            continue
        if report is not None:
            report.packages += 1
            report.with_init += "init" in facts
            report.requirements += len(facts.get("required", ()))
        out[directory] = facts
    return out


def import_metadata_reads(
    source: Source,
    packages: Iterable[str],
    ref_label: str,
    older: Mapping[str, tuple[Source, str]] | None = None,
) -> tuple[dict[str, Any], ReadsReport]:
    """The facts of ``packages`` at ``source``; for each older release in ``older`` (release ->
    its components-contrib source and ref), the packages whose facts say something else there."""
    packages = sorted(set(packages))
    report = ReadsReport(source=source.label)
    out = _read_all(source, packages, report)
    data: dict[str, Any] = {
        "generated_by": "python -m tools schemas import-metadata-reads",
        "source": f"dapr/components-contrib {ref_label}",
        "ref": ref_label,
    }
    if older:
        data["releases"] = {release: ref for release, (_src, ref) in sorted(older.items())}
        differing: dict[str, Any] = {}
        for release, (older_source, _ref) in sorted(older.items()):
            then = _read_all(older_source, packages, None)
            changed = {
                name: facts
                for name, facts in then.items()
                if name not in out or not _same_meaning(facts, out[name])
            }
            report.older[release] = len(changed)
            if changed:
                differing[release] = changed
        data["older"] = differing
    data["packages"] = out
    return data, report


def dumps(data: Mapping[str, Any]) -> str:
    """One package per line, so a re-import diffs line by line."""
    lines = ["{"]
    for key, value in data.items():
        if key not in {"packages", "older"}:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)},")
    if "older" in data:
        lines.append(' "older": {')
        releases = list(data["older"].items())
        for r, (release, packages) in enumerate(releases):
            lines.append(f"  {json.dumps(release)}: {{")
            _package_lines(lines, list(packages.items()), "   ")
            lines.append("  }" + ("," if r < len(releases) - 1 else ""))
        lines.append(" },")
    lines.append(' "packages": {')
    _package_lines(lines, list(data.get("packages", {}).items()), "  ")
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _package_lines(lines: list[str], packages: list[tuple[str, Any]], indent: str) -> None:
    for i, (name, facts) in enumerate(packages):
        comma = "," if i < len(packages) - 1 else ""
        lines.append(f"{indent}{json.dumps(name)}: {json.dumps(facts)}{comma}")
