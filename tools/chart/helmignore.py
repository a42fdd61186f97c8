""".helmignore as Helm reads it: its pkg/ignore rules over Go's ``filepath.Match`` globs.

Written from Helm's rules (pkg/ignore/rules.go) and Go's path/filepath/match.go: lines trimmed
of Unicode space, a byte-order mark dropped from the first, ``#`` comments; ``**`` and malformed
globs refused; ``!`` negates, a trailing ``/`` matches directories only, a leading ``/`` anchors
at the chart root, and a pattern without ``/`` matches the file's own name. Helm's quirks are
kept: the first rule that decides wins, and a negated rule ignores every path it does *not*
match. Helm adds ``templates/.?*`` after the file's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HELMIGNORE = ".helmignore"
DEFAULT_IGNORE = "templates/.?*"  # Helm's AddDefaults: dot files under templates/
MAX_MATCH_STEPS = 50_000_000  # characters compared by the globs over one walk
# Go's unicode.IsSpace, which strings.TrimSpace strips.
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(code) for code in range(0x2000, 0x200B)
)


class GlobSyntaxError(ValueError):
    """The pattern is malformed where Go's ``filepath.Match`` returns ErrBadPattern."""


class IgnoreSyntaxError(ValueError):
    """A .helmignore line Helm refuses."""

    def __init__(self, line: int, rule: str, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.rule = rule
        self.reason = reason


class MatchBudgetExceeded(Exception):
    """The globs compared more characters than one walk allows (a .helmignore built to stall)."""


@dataclass(frozen=True)
class _Class:
    """``[...]`` (or ``?``, which is ``[^/]``): one character in or out of the ranges."""

    negated: bool
    ranges: tuple[tuple[str, str], ...]

    def matches(self, char: str) -> bool:
        return any(lo <= char <= hi for lo, hi in self.ranges) != self.negated


_ANY = _Class(negated=True, ranges=(("/", "/"),))
_Item = str | _Class


def _class_char(pattern: str, at: int) -> tuple[str, int]:
    if at >= len(pattern) or pattern[at] in "-]":
        raise GlobSyntaxError
    if pattern[at] == "\\":
        at += 1
        if at >= len(pattern):
            raise GlobSyntaxError
    if at + 1 >= len(pattern):  # a class must still be closed after this character
        raise GlobSyntaxError
    return pattern[at], at + 1


def _parse_class(pattern: str, at: int) -> tuple[_Class, int]:
    negated = at < len(pattern) and pattern[at] == "^"
    at += negated
    ranges: list[tuple[str, str]] = []
    while not (at < len(pattern) and pattern[at] == "]" and ranges):
        lo, at = _class_char(pattern, at)
        hi = lo
        if pattern[at] == "-":
            hi, at = _class_char(pattern, at + 1)
        ranges.append((lo, hi))
    return _Class(negated, tuple(ranges)), at + 1


def _parse_chunk(pattern: str, at: int) -> tuple[tuple[_Item, ...], int]:
    items: list[_Item] = []
    while at < len(pattern) and pattern[at] != "*":
        char = pattern[at]
        if char == "[":
            item, at = _parse_class(pattern, at + 1)
            items.append(item)
            continue
        if char == "?":
            items.append(_ANY)
        elif char == "\\":
            at += 1
            if at >= len(pattern):
                raise GlobSyntaxError
            items.append(pattern[at])
        else:
            items.append(char)
        at += 1
    return tuple(items), at


class Budget:
    """Glob work allowed over one walk, so a hostile .helmignore cannot stall packaging."""

    def __init__(self, steps: int = MAX_MATCH_STEPS) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise MatchBudgetExceeded


@dataclass(frozen=True)
class Glob:
    """A pattern with Go's ``filepath.Match`` semantics: ``*`` and ``?`` never match ``/``,
    ``[...]``/``[^...]`` classes, ``\\`` escapes; the whole name must match."""

    chunks: tuple[tuple[bool, tuple[_Item, ...]], ...]

    @classmethod
    def parse(cls, pattern: str) -> Glob:
        chunks: list[tuple[bool, tuple[_Item, ...]]] = []
        at = 0
        while at < len(pattern):
            star = pattern[at] == "*"
            while at < len(pattern) and pattern[at] == "*":
                at += 1
            items, at = _parse_chunk(pattern, at)
            chunks.append((star, items))
        return cls(tuple(chunks))

    def match(self, name: str, budget: Budget) -> bool:
        """Go's algorithm: each chunk at the first place it fits after its star, no going back;
        the last chunk must end the name."""
        at = 0
        for index, (star, items) in enumerate(self.chunks):
            last = index == len(self.chunks) - 1
            if star and not items:
                return "/" not in name[at:]
            end = _chunk_at(items, name, at, last, budget)
            if end is None and star:
                end = _after_star(items, name, at, last, budget)
            if end is None:
                return False
            at = end
        return at == len(name)


def _chunk_at(
    items: tuple[_Item, ...], name: str, at: int, last: bool, budget: Budget
) -> int | None:
    end = at + len(items)
    if end > len(name) or (last and end != len(name)):
        return None
    for compared, (item, char) in enumerate(zip(items, name[at:end], strict=True), start=1):
        if not (char == item if isinstance(item, str) else item.matches(char)):
            budget.spend(compared)
            return None
    budget.spend(len(items) + 1)
    return end


def _after_star(
    items: tuple[_Item, ...], name: str, at: int, last: bool, budget: Budget
) -> int | None:
    while at < len(name) and name[at] != "/":
        at += 1
        end = _chunk_at(items, name, at, last, budget)
        if end is not None:
            return end
    return None


@dataclass(frozen=True)
class IgnoreRule:
    glob: Glob | None  # None: Helm cannot compile it at match time, so it never matches
    negate: bool
    must_dir: bool
    base_only: bool  # no '/' in the pattern: only the file's own name is matched

    @classmethod
    def parse(cls, text: str) -> IgnoreRule:
        """One non-blank, non-comment line, trimmed (Helm's parseRule); ValueError if Helm
        refuses it."""
        if "**" in text:
            raise ValueError("'**' is not supported in .helmignore")
        try:
            Glob.parse(text)
        except GlobSyntaxError:
            raise ValueError("syntax error in pattern") from None
        negate = text.startswith("!")
        rule = text.removeprefix("!")
        must_dir = rule.endswith("/")
        rule = rule.removesuffix("/")
        base_only = "/" not in rule
        rule = rule.removeprefix("/")
        try:
            glob: Glob | None = Glob.parse(rule)
        except GlobSyntaxError:
            glob = None
        return cls(glob, negate, must_dir, base_only)

    def matches(self, path: str, budget: Budget) -> bool:
        if self.glob is None:
            return False
        name = path.rstrip("/").rsplit("/", 1)[-1] if self.base_only else path
        return self.glob.match(name, budget)


@dataclass
class IgnoreRules:
    """The rules of one .helmignore, and the glob work they may still do."""

    rules: list[IgnoreRule] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)

    @classmethod
    def parse(cls, text: str) -> IgnoreRules:
        """Rules from a .helmignore's text, then Helm's default."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rules: list[IgnoreRule] = []
        for number, line in enumerate(lines, start=1):
            rule = (line.removeprefix("\ufeff") if number == 1 else line).strip(_GO_SPACE)
            if not rule or rule.startswith("#"):
                continue
            try:
                rules.append(IgnoreRule.parse(rule))
            except ValueError as exc:
                raise IgnoreSyntaxError(number, rule, str(exc)) from None
        rules.append(IgnoreRule.parse(DEFAULT_IGNORE))
        return cls(rules)

    def ignores(self, path: str, is_dir: bool) -> bool:
        if path in ("", ".", "./"):
            return False
        for rule in self.rules:
            if rule.must_dir and not is_dir:
                if rule.negate:
                    return True
                continue
            matched = rule.matches(path, self.budget)
            if rule.negate:
                if not matched:
                    return True
            elif matched:
                return True
        return False
