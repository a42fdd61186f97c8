"""Just enough Go reading for the importers: a linear tokenizer, imports, calls, build tags.

Nothing here compiles Go or builds a regular expression from the input: the text is walked
once, front to back (runs of spaces and of word characters by two fixed one-class patterns),
and every helper is linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# Token kinds.
IDENT = "ident"
STRING = "string"
PUNCT = "punct"
OTHER = "other"

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
_TWO_CHAR = frozenset({"&&", "||", ":=", "==", "!=", "<=", ">=", "<-", "++", "--", "..."})
# Runs of white space and of word characters, matched at a position: a single character class
# repeated, so each match is linear and the scan as a whole stays one pass over the text.
_SPACE_RUN = re.compile(r"\s+")
_WORD_RUN = re.compile(r"\w+")


class GoSourceError(ValueError):
    """The text is not Go this reader understands (unterminated string or comment...)."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int

    @property
    def value(self) -> str:
        """A string literal's contents (escapes other than ``\\"`` and ``\\\\`` kept as is)."""
        if self.kind != STRING:
            return self.text
        body = self.text[1:-1]
        if self.text[0] == "`":
            return body
        out: list[str] = []
        i = 0
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in "\\\"'":
                out.append(body[i + 1])
                i += 2
                continue
            out.append(body[i])
            i += 1
        return "".join(out)


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _quoted_end(text: str, i: int, line: int) -> int:
    """Index of the closing quote of the string or rune literal opening at ``i``."""
    quote, j, n = text[i], i + 1, len(text)
    while j < n and text[j] != quote:
        if text[j] == "\n":
            raise GoSourceError(f"line {line}: newline in a quoted literal")
        j += 2 if text[j] == "\\" else 1
    if j >= n:
        raise GoSourceError(f"line {line}: unterminated literal")
    return j


def _skip_comment(text: str, i: int, line: int) -> tuple[int, int]:
    """Index after the comment at ``i`` and the line count it spans."""
    if text.startswith("//", i):
        end = text.find("\n", i)
        return (len(text) if end < 0 else end), 0
    end = text.find("*/", i + 2)
    if end < 0:
        raise GoSourceError(f"line {line}: unterminated comment")
    return end + 2, text.count("\n", i, end)


def tokenize(text: str) -> list[Token]:
    """Go tokens without comments; strings, runes and raw strings kept whole."""
    tokens: list[Token] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            end = _SPACE_RUN.match(text, i).end()  # type: ignore[union-attr]
            line += text.count("\n", i, end)
            i = end
        elif text.startswith("//", i) or text.startswith("/*", i):
            i, lines = _skip_comment(text, i, line)
            line += lines
        elif ch in "\"'":
            end = _quoted_end(text, i, line)
            tokens.append(Token(STRING if ch == '"' else OTHER, text[i : end + 1], line))
            i = end + 1
        elif ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise GoSourceError(f"line {line}: unterminated raw string")
            tokens.append(Token(STRING, text[i : end + 1], line))
            line += text.count("\n", i, end)
            i = end + 1
        elif _is_ident_char(ch):
            j = _WORD_RUN.match(text, i).end()  # type: ignore[union-attr]
            tokens.append(Token(OTHER if ch.isdigit() else IDENT, text[i:j], line))
            i = j
        else:
            two = text[i : i + 3] if text.startswith("...", i) else text[i : i + 2]
            size = len(two) if two in _TWO_CHAR else 1
            tokens.append(Token(PUNCT, text[i : i + size], line))
            i += size
    return tokens


def imports(tokens: Sequence[Token]) -> dict[str, str]:
    """Import name -> import path. An unnamed import is named by its last path element
    (a trailing ``/vN`` major version is skipped, ``-`` dropped), as Go code usually is."""
    out: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == IDENT and tok.text == "import":
            i += 1
            if i < len(tokens) and tokens[i].text == "(":
                i += 1
                while i < len(tokens) and tokens[i].text != ")":
                    i = _one_import(tokens, i, out)
            else:
                i = _one_import(tokens, i, out)
            continue
        if tok.kind == IDENT and tok.text in {"func", "var", "const", "type"}:
            break  # imports come first in a Go file
        i += 1
    return out


def _one_import(tokens: Sequence[Token], i: int, out: dict[str, str]) -> int:
    name = None
    if i < len(tokens) and (tokens[i].kind == IDENT or tokens[i].text == "."):
        name = tokens[i].text
        i += 1
    if i < len(tokens) and tokens[i].kind == STRING:
        path = tokens[i].value
        out[name or default_import_name(path)] = path
        return i + 1
    return i + 1


def default_import_name(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if len(parts) > 1 and parts[-1][:1] == "v" and parts[-1][1:].isdigit():
        parts.pop()
    return (parts[-1] if parts else path).replace("-", "").replace(".", "")


@dataclass(frozen=True)
class Call:
    """``receiver.Path.Method(args)``: the dotted callee and its top-level arguments."""

    callee: tuple[str, ...]
    args: tuple[tuple[Token, ...], ...]
    line: int


def calls(tokens: Sequence[Token], method_names: Iterable[str]) -> Iterator[Call]:
    """Every call whose last selector is one of ``method_names``, with its arguments."""
    wanted = frozenset(method_names)
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.kind != IDENT or tok.text not in wanted:
            continue
        if i + 1 >= n or tokens[i + 1].text != "(":
            continue
        callee = [tok.text]
        j = i - 1
        while j >= 1 and tokens[j].text == "." and tokens[j - 1].kind == IDENT:
            callee.insert(0, tokens[j - 1].text)
            j -= 2
        if j >= 0 and tokens[j].kind == IDENT and tokens[j].text == "func":
            continue  # a declaration, not a call
        args, _ = split_group(tokens, i + 1)
        yield Call(tuple(callee), args, tok.line)


def split_group(tokens: Sequence[Token], start: int) -> tuple[tuple[tuple[Token, ...], ...], int]:
    """The comma-separated items of the bracket group opening at ``start``, and the index
    after its closing bracket."""
    closer = _OPEN.get(tokens[start].text)
    if closer is None:
        raise GoSourceError(f"line {tokens[start].line}: expected a bracket")
    stack = [closer]
    items: list[tuple[Token, ...]] = []
    current: list[Token] = []
    i = start + 1
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == PUNCT and tok.text in _OPEN:
            stack.append(_OPEN[tok.text])
        elif tok.kind == PUNCT and tok.text in _CLOSE:
            if tok.text != stack[-1]:
                raise GoSourceError(f"line {tok.line}: unbalanced {tok.text!r}")
            stack.pop()
            if not stack:
                if current:
                    items.append(tuple(current))
                return tuple(items), i + 1
        elif tok.kind == PUNCT and tok.text == "," and len(stack) == 1:
            items.append(tuple(current))
            current = []
            i += 1
            continue
        current.append(tok)
        i += 1
    raise GoSourceError(f"line {tokens[start].line}: unclosed {tokens[start].text!r}")


def selector_roots(tokens: Sequence[Token]) -> list[str]:
    """Identifiers used as the root of ``name.Something`` (package references), in order,
    once each; in ``a.b.c`` only ``a`` is a root."""
    seen: dict[str, None] = {}
    for i in range(len(tokens) - 2):
        tok = tokens[i]
        if tok.kind != IDENT or tokens[i + 1].text != "." or tokens[i + 2].kind != IDENT:
            continue
        if i > 0 and tokens[i - 1].text == ".":
            continue
        seen.setdefault(tok.text, None)
    return list(seen)


# --- build constraints -------------------------------------------------------------------------


def build_constraint(text: str) -> str | None:
    """The ``//go:build`` expression of a file (only lines before ``package`` count)."""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("package ") or line == "package":
            return None
        if line.startswith("//go:build ") or line.startswith("//go:build\t"):
            return line[len("//go:build") :].strip()
    return None


def _constraint_tokens(expr: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif expr.startswith("&&", i) or expr.startswith("||", i):
            out.append(expr[i : i + 2])
            i += 2
        elif ch in "()!":
            out.append(ch)
            i += 1
        elif _is_ident_char(ch) or ch == ".":
            j = i
            while j < len(expr) and (_is_ident_char(expr[j]) or expr[j] == "."):
                j += 1
            out.append(expr[i:j])
            i = j
        else:
            raise GoSourceError(f"build constraint {expr!r}: unexpected {ch!r}")
    return out


class _ConstraintParser:
    """expr := and ('||' and)* ; and := unary ('&&' unary)* ; unary := '!' unary | atom."""

    MAX_DEPTH = 50

    def __init__(self, expr: str, tags: frozenset[str]) -> None:
        self.tokens = _constraint_tokens(expr)
        self.pos = 0
        self.tags = tags
        self.expr = expr

    def fail(self, why: str) -> GoSourceError:
        return GoSourceError(f"build constraint {self.expr!r}: {why}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> bool:
        value = self.or_(0)
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r}")
        return value

    def or_(self, depth: int) -> bool:
        value = self.and_(depth)
        while self.peek() == "||":
            self.pos += 1
            right = self.and_(depth)
            value = value or right
        return value

    def and_(self, depth: int) -> bool:
        value = self.unary(depth)
        while self.peek() == "&&":
            self.pos += 1
            right = self.unary(depth)
            value = value and right
        return value

    def unary(self, depth: int) -> bool:
        if depth > self.MAX_DEPTH:
            raise self.fail("nested too deeply")
        tok = self.peek()
        if tok is None:
            raise self.fail("ends early")
        self.pos += 1
        if tok == "!":
            return not self.unary(depth + 1)
        if tok == "(":
            value = self.or_(depth + 1)
            if self.peek() != ")":
                raise self.fail("missing ')'")
            self.pos += 1
            return value
        if tok in {")", "&&", "||"}:
            raise self.fail(f"unexpected {tok!r}")
        return tok in self.tags


def constraint_holds(expr: str | None, tags: Iterable[str]) -> bool:
    """Whether a file with build constraint ``expr`` is compiled with ``tags`` set."""
    if expr is None:
        return True
    return _ConstraintParser(expr, frozenset(tags)).parse()


_GOOS = frozenset(
    {"aix", "android", "darwin", "dragonfly", "freebsd", "illumos", "ios", "js", "linux"}
    | {"netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows"}
)
_GOARCH = frozenset(
    {"386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle"}
    | {"ppc64", "ppc64le", "riscv64", "s390x", "wasm"}
)


def filename_constraint(filename: str) -> str | None:
    """The implicit constraint of a ``name_GOOS_GOARCH.go`` file name, or None."""
    stem = filename.rsplit("/", 1)[-1].removesuffix(".go")
    parts = stem.split("_")
    if len(parts) >= 3 and parts[-2] in _GOOS and parts[-1] in _GOARCH:
        return f"{parts[-2]} && {parts[-1]}"
    if len(parts) >= 2 and (parts[-1] in _GOOS or parts[-1] in _GOARCH):
        return parts[-1]
    return None
