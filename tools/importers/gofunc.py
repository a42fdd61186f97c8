"""Function bodies, string constants and string-list maps of a tokenized Go file.

What ``metadata_reads`` needs to follow a component's ``Init`` through its own code: where each
function's body starts and ends, which statements of a body run on every call (those at its
top level, outside any ``if``, ``for``, ``switch`` or closure), and the string values package
level names stand for. Every scan is one pass over the tokens, with bracket matching by a stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tools.importers.gosource import IDENT, PUNCT, STRING, GoSourceError, Token, split_group

_OPEN = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Function:
    """One ``func`` declaration: ``name``, the receiver's type (``""`` for a function) and the
    tokens of its body, without the outer braces."""

    name: str
    receiver: str
    body: tuple[Token, ...]
    file: str
    line: int
    receiver_var: str = ""
    params: tuple[str, ...] = ()


def matching(tokens: Sequence[Token], start: int) -> int:
    """Index of the bracket closing the one at ``start``."""
    stack: list[str] = []
    for i in range(start, len(tokens)):
        text = tokens[i].text
        if tokens[i].kind != PUNCT:
            continue
        if text in _OPEN:
            stack.append(_OPEN[text])
        elif stack and text == stack[-1]:
            stack.pop()
            if not stack:
                return i
    raise GoSourceError(f"line {tokens[start].line}: unclosed {tokens[start].text!r}")


def _receiver_type(tokens: Sequence[Token]) -> str:
    names = [t.text for t in tokens if t.kind == IDENT]
    return names[-1] if names else ""


def _receiver_var(tokens: Sequence[Token]) -> str:
    names = [t.text for t in tokens if t.kind == IDENT]
    return names[0] if len(names) > 1 else ""


def _param_names(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The parameter names of a parameter list (empty when the parameters are unnamed)."""
    items = [item for item in split_top(tokens, ",") if item]
    if not any(len(item) >= 2 and item[0].kind == IDENT for item in items):
        return ()
    return tuple(item[0].text for item in items if item[0].kind == IDENT)


def _body_start(tokens: Sequence[Token], i: int) -> int | None:
    """The ``{`` opening a function body, scanning from just after its parameters; ``None``
    for a declaration without a body. ``interface{}`` and ``struct{…}`` in the result type are
    skipped."""
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == PUNCT and tok.text in "([":
            i = matching(tokens, i) + 1
            continue
        braced = i + 1 < len(tokens) and tokens[i + 1].text == "{"
        if tok.kind == IDENT and tok.text in {"interface", "struct"} and braced:
            i = matching(tokens, i + 1) + 1
            continue
        if tok.text == "{":
            return i
        if (tok.kind == IDENT and tok.text == "func") or tok.text == "}":
            return None
        i += 1
    return None


def functions(tokens: Sequence[Token], file: str) -> list[Function]:
    """Every top-level ``func`` of a file."""
    out: list[Function] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.kind == PUNCT and tok.text in _OPEN:
            i = matching(tokens, i) + 1
            continue
        if tok.kind != IDENT or tok.text != "func" or i + 1 >= n:
            i += 1
            continue
        j = i + 1
        receiver = receiver_var = ""
        if tokens[j].text == "(":
            end = matching(tokens, j)
            receiver = _receiver_type(tokens[j + 1 : end])
            receiver_var = _receiver_var(tokens[j + 1 : end])
            j = end + 1
        if j >= n or tokens[j].kind != IDENT:
            i = j
            continue
        name = tokens[j].text
        j += 1
        if j < n and tokens[j].text == "[":  # type parameters
            j = matching(tokens, j) + 1
        params: tuple[str, ...] = ()
        if j < n and tokens[j].text == "(":
            params = _param_names(tokens[j + 1 : matching(tokens, j)])
        start = _body_start(tokens, j)
        if start is None:
            i = j
            continue
        end = matching(tokens, start)
        body = tuple(tokens[start + 1 : end])
        out.append(Function(name, receiver, body, file, tok.line, receiver_var, params))
        i = end + 1
    return out


def string_constants(tokens: Sequence[Token]) -> dict[str, str]:
    """``Name = "value"`` at package level (in ``const`` and ``var`` declarations, typed or
    not): the string each name stands for."""
    out: dict[str, str] = {}
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.kind == IDENT and tok.text == "func":
            start = _body_start(tokens, i + 1)
            i = matching(tokens, start) + 1 if start is not None else i + 1
            continue
        if tok.kind == IDENT and tok.text in {"const", "var"}:
            j = i + 1
            if j < n and tokens[j].text == "(":
                end = matching(tokens, j)
                _constants_in(tokens[j + 1 : end], out)
                i = end + 1
                continue
            end = j
            while end < n and tokens[end].line == tokens[j].line:
                end += 1
            _constants_in(tokens[j:end], out)
            i = end
            continue
        i += 1
    return out


def _constants_in(tokens: Sequence[Token], out: dict[str, str]) -> None:
    for i in range(len(tokens) - 2):
        if tokens[i].kind != IDENT or tokens[i].line == (tokens[i - 1].line if i else -1):
            continue
        # ``Name = "v"`` or ``Name Type = "v"`` at the start of a line, ending the line.
        for eq in (i + 1, i + 2):
            if eq + 1 < len(tokens) and tokens[eq].text == "=" and tokens[eq + 1].kind == STRING:
                after = eq + 2
                if after >= len(tokens) or tokens[after].line != tokens[eq + 1].line:
                    out.setdefault(tokens[i].text, tokens[eq + 1].value)
                break


def string_list_maps(tokens: Sequence[Token]) -> dict[str, dict[str, tuple[str, ...]]]:
    """``var Name = map[string][]string{"K": {"a", "b"}, …}`` at package level."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for i in range(len(tokens) - 8):
        if not (
            tokens[i].kind == IDENT
            and tokens[i + 1].text == "="
            and [t.text for t in tokens[i + 2 : i + 8]] == ["map", "[", "string", "]", "[", "]"]
            and tokens[i + 8].text == "string"
            and i + 9 < len(tokens)
            and tokens[i + 9].text == "{"
        ):
            continue
        entries: dict[str, tuple[str, ...]] = {}
        items, _ = split_group(tokens, i + 9)
        for item in items:
            if len(item) >= 4 and item[0].kind == STRING and item[1].text == ":":
                values = tuple(t.value for t in item[2:] if t.kind == STRING)
                entries[item[0].value] = values
        out[tokens[i].text] = entries
    return out


@dataclass(frozen=True)
class Branch:
    """One arm of an ``if`` chain: its condition (after any ``init;``), its init statement and
    the tokens of its block. A final ``else`` has an empty condition."""

    init: tuple[Token, ...]
    condition: tuple[Token, ...]
    block: tuple[Token, ...]
    line: int
    is_else: bool = False


def top_level(body: Sequence[Token]) -> Iterator[tuple[str, int, int]]:
    """The top-level pieces of a body, in order: ``("if", start, end)`` for an ``if``
    statement's header (``start`` at ``if``, ``end`` at its ``{``), ``("block", start, end)``
    for any nested block (bounds are its braces), and ``("token", i, i)`` for every other
    top-level token (``else`` among them)."""
    i, n = 0, len(body)
    while i < n:
        tok = body[i]
        if tok.kind == IDENT and tok.text == "if":
            j = i + 1
            while j < n and body[j].text != "{":
                if body[j].kind == PUNCT and body[j].text in "([":
                    j = matching(body, j) + 1
                    continue
                j += 1
            if j >= n:
                return
            yield "if", i, j
            end = matching(body, j)
            yield "block", j, end
            i = end + 1
            continue
        if tok.kind == PUNCT and tok.text == "{":
            end = matching(body, i)
            yield "block", i, end
            i = end + 1
            continue
        yield "token", i, i
        i += 1


def statements(body: Sequence[Token]) -> Iterator[list[Branch] | list[Token]]:
    """The top level of ``body`` in order: each ``if`` / ``else if`` / ``else`` chain as its
    list of arms, and the tokens between chains as one list per run (nested blocks other
    than the chains' own are left out: they do not run on every pass)."""
    chain: list[Branch] = []
    run: list[Token] = []
    pending: tuple[int, int] | None = None
    after_else = False
    for kind, start, end in top_level(body):
        if kind == "if":
            if not after_else:
                if chain:
                    yield chain
                    chain = []
                if run:
                    yield run
                    run = []
            pending = (start, end)
            after_else = False
            continue
        if kind == "block" and pending is not None:
            header = body[pending[0] + 1 : pending[1]]
            init, condition = _split_header(header)
            block = tuple(body[start + 1 : end])
            chain.append(Branch(init, condition, block, body[pending[0]].line))
            pending = None
            continue
        if kind == "block" and after_else and chain:
            chain.append(Branch((), (), tuple(body[start + 1 : end]), body[start].line, True))
            after_else = False
            continue
        if kind == "token" and body[start].text == "else" and chain:
            after_else = True
            continue
        if chain:
            yield chain
            chain = []
        after_else = False
        if kind == "token":
            run.append(body[start])
    if chain:
        yield chain
    if run:
        yield run


def all_chains(body: Sequence[Token], depth: int = 0) -> Iterator[list[Branch]]:
    """Every ``if`` chain in ``body``, at any depth (inside loops, switches, closures and
    other ``if`` blocks too)."""
    if depth > 20:
        return
    for kind, start, end in top_level(body):
        if kind == "block":
            yield from all_chains(body[start + 1 : end], depth + 1)
    for piece in statements(body):
        if piece and isinstance(piece[0], Branch):
            yield piece


def _split_header(header: Sequence[Token]) -> tuple[tuple[Token, ...], tuple[Token, ...]]:
    depth = 0
    for i, tok in enumerate(header):
        if tok.kind == PUNCT and tok.text in _OPEN:
            depth += 1
        elif tok.kind == PUNCT and tok.text in {")", "]", "}"}:
            depth -= 1
        elif depth == 0 and tok.text == ";":
            return tuple(header[:i]), tuple(header[i + 1 :])
    return (), tuple(header)


def unconditional(body: Sequence[Token]) -> list[Token]:
    """The tokens that run on every pass through ``body``: its top-level statements and the
    headers of its top-level ``if`` statements, but nothing inside a nested block."""
    out: list[Token] = []
    for kind, start, end in top_level(body):
        if kind == "if":
            out.extend(body[start + 1 : end])
        elif kind == "token":
            out.append(body[start])
    return out


def split_top(tokens: Sequence[Token], separator: str) -> list[tuple[Token, ...]]:
    """``tokens`` split at ``separator`` where no bracket is open."""
    parts: list[tuple[Token, ...]] = []
    depth, start = 0, 0
    for i, tok in enumerate(tokens):
        if tok.kind == PUNCT and tok.text in _OPEN:
            depth += 1
        elif tok.kind == PUNCT and tok.text in {")", "]", "}"}:
            depth -= 1
        elif depth == 0 and tok.text == separator:
            parts.append(tuple(tokens[start:i]))
            start = i + 1
    parts.append(tuple(tokens[start:]))
    return parts
