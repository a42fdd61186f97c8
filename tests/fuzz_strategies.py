"""Hypothesis strategies for the chart's values, generated from values.schema.json itself.

hypothesis-jsonschema's ``from_schema`` on the whole values schema rebuilds sub-strategies on
every draw (about two seconds per values set here), far too slow for 10,000 examples. So the
object/array skeleton is walked once and turned into cached ``fixed_dictionaries`` /
``dictionaries`` / ``lists`` strategies, and every leaf (strings with patterns, enums, numbers,
``not``/``allOf`` combinations) is handed to ``from_schema`` unchanged. Nothing is written per
field: a new key, pattern or enum in the schema shows up in the generated values by itself.

``consistent_values`` then makes the cross-references the schema cannot express line up (topics
an app publishes are declared, subscriptions are scoped to enabled apps, each enabled component
has an app that uses it), so that most generated sets get past the chart's ``fail`` checks; one
set in ten keeps the single-field conflicts the chart refuses on purpose.

``mutations`` break a valid values set in one place the schema forbids, and say which values
path Helm must name when it refuses it.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tools.importers.value_patterns import DAYS, MONTHS

CHART = Path(__file__).resolve().parents[1] / "charts" / "todo-dapr"
SCHEMA: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
DEFAULTS: dict[str, Any] = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
DEFS: dict[str, Any] = SCHEMA.get("$defs", {})
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Generated containers stay small: a values set is one helm render, and size adds little.
EXTRA_ITEMS = 2
MAX_MAP_KEYS = 3
SECRET_REF = "#/$defs/secretRef"

Path_ = tuple[str | int, ...]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Inline a local ``$ref``; sibling keywords (description, minItems...) win over the target."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    if not ref.startswith("#/"):
        raise ValueError(f"only local references can be generated, not {ref}")
    target: Any = SCHEMA
    for part in ref[2:].split("/"):
        target = target[part]
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return resolve(merged)


def _is_structured(node: Any) -> bool:
    """True when a (sub)schema describes an object or array somewhere inside."""
    if isinstance(node, dict):
        if node.get("type") in ("object", "array") or "properties" in node or "items" in node:
            return True
        if "$ref" in node and _is_structured(resolve({"$ref": node["$ref"]})):
            return True
        return any(
            _is_structured(child)
            for key, child in node.items()
            if key in ("anyOf", "oneOf", "allOf", "not")
        )
    if isinstance(node, list):
        return any(_is_structured(child) for child in node)
    return False


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


_cache: dict[str, st.SearchStrategy[Any]] = {}


def strategy_for(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A strategy for every instance of ``node`` (cached per distinct subschema)."""
    key = _canonical(node)
    if key not in _cache:
        _cache[key] = _build(resolve(node))
    return _cache[key]


def _validator(node: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**node, "$defs": DEFS})


def bounded(pattern: str, spread: int = 4) -> str:
    """``pattern`` with every open repetition (``+``, ``*``, ``{m,}``) capped at ``spread`` more.

    It matches a subset of what ``pattern`` matches, so generated strings stay valid; they are
    just shorter. Nested open repetitions cost Hypothesis many draws per string and add nothing
    to a render; explicit bounds such as ``{0,61}`` are kept, so length limits are exercised.
    """
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "+":
            out.append(f"{{1,{1 + spread}}}")
        elif char == "*":
            out.append(f"{{0,{spread}}}")
        elif char == "{":
            end = pattern.index("}", index)
            low, _, high = pattern[index + 1 : end].partition(",")
            if _ and not high:
                out.append(f"{{{low},{int(low) + spread}}}")
            else:
                out.append(pattern[index : end + 1])
            index = end + 1
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _bounded_patterns(node: Any) -> Any:
    """Bound every pattern a value must match; one under ``not`` must be left as it is, since
    matching less there would let through values the real schema refuses."""
    if isinstance(node, dict):
        return {
            key: bounded(value)
            if key == "pattern" and isinstance(value, str)
            else value
            if key == "not"
            else _bounded_patterns(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_bounded_patterns(child) for child in node]
    return node


def _defs_used(node: Any, found: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``$defs`` entries ``node`` refers to, directly or through other entries."""
    found = {} if found is None else found
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name not in found:
                found[name] = DEFS[name]
                _defs_used(DEFS[name], found)
        for child in node.values():
            _defs_used(child, found)
    elif isinstance(node, list):
        for child in node:
            _defs_used(child, found)
    return found


def _leaf(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """from_schema for a leaf, from bounded patterns (a subset of the real ones).

    Only the ``$defs`` the leaf uses go with it: from_schema canonicalises every definition it
    is given, and the whole set (the generated metadata catalog) made that a second per leaf.
    """
    defs = _defs_used(node)
    return from_schema(_bounded_patterns({**node, "$defs": defs} if defs else node))


def _build(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    if not _is_structured(node):
        return _leaf(node)
    for combinator in ("oneOf", "anyOf"):
        if combinator in node and node.get("type") is None and "properties" not in node:
            branches = [strategy_for({**node_branch}) for node_branch in node[combinator]]
            check = _validator(node)
            return st.one_of(branches).filter(check.is_valid)
    kind = node.get("type")
    if kind == "array":
        items = strategy_for(node.get("items", {}))
        low = node.get("minItems", 0)
        high = min(node.get("maxItems", low + EXTRA_ITEMS), low + EXTRA_ITEMS)
        unique = _canonical if node.get("uniqueItems") else None
        return st.lists(items, min_size=low, max_size=high, unique_by=unique)
    if kind == "object":
        cases = _discriminated(node)
        if cases is not None:
            return st.one_of([strategy_for(case) for case in cases])
        strategy = _object(node)
        leftover = {k: v for k, v in node.items() if k in ("anyOf", "oneOf", "allOf", "not")}
        if leftover or "minProperties" in node:
            return strategy.filter(_validator(node).is_valid)
        return strategy
    raise ValueError(f"cannot generate values for schema {node}")


def _discriminator(node: dict[str, Any]) -> str | None:
    """The required enum property every ``if`` of the node's ``allOf`` tests, if there is one."""
    conditions = node.get("allOf")
    if not conditions or any(set(c) - {"if", "then", "else"} for c in conditions):
        return None
    tested = {key for c in conditions for key in c["if"].get("properties", {})}
    if len(tested) != 1:
        return None
    (key,) = tested
    prop = resolve(node.get("properties", {}).get(key, {}))
    if key not in node.get("required", ()) or "enum" not in prop:
        return None
    return key


def _merge_property(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` narrowed by ``extra`` (from a then/else branch)."""
    extra = resolve(extra)
    overlap = (set(base) & set(extra)) - {"description", "type", "default"}
    if not overlap:
        return {**base, **extra}
    if _is_structured(base) or _is_structured(extra):
        raise ValueError(f"cannot narrow {base} by {extra}")
    return {"allOf": [base, extra]}


def _discriminated(node: dict[str, Any]) -> list[dict[str, Any]] | None:
    """An object whose ``allOf`` of if/then(/else) all test one required enum property (a
    metadata item's ``name``, the state store's ``version``), split into one plain object
    schema per enum value with the matching then/else applied.

    Generating each case directly replaces a filter that would throw away almost every draw
    (a random value for a name whose ``then`` wants a number or a duration).
    """
    key = _discriminator(node)
    if key is None:
        return None
    base = {k: v for k, v in node.items() if k != "allOf"}
    cases = []
    for choice in resolve(node["properties"][key])["enum"]:
        properties = {**base["properties"], key: {"const": choice}}
        required = list(base.get("required", ()))
        for condition in node["allOf"]:
            test = condition["if"]["properties"][key]
            hit = choice == test["const"] if "const" in test else choice in test["enum"]
            branch = condition.get("then" if hit else "else", {})
            for prop, extra in branch.get("properties", {}).items():
                properties[prop] = _merge_property(resolve(properties[prop]), extra)
            required += [r for r in branch.get("required", ()) if r not in required]
        cases.append({**base, "properties": properties, "required": required})
    return cases


def _object(node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = node.get("properties", {})
    required = set(node.get("required", []))
    fixed = st.fixed_dictionaries(
        {k: strategy_for(v) for k, v in properties.items() if k in required},
        optional={k: strategy_for(v) for k, v in properties.items() if k not in required},
    )
    patterns: dict[str, Any] = node.get("patternProperties", {})
    if not patterns:
        return fixed
    low = node.get("minProperties", 0)
    maps = [
        st.dictionaries(
            _leaf({"type": "string", "pattern": pattern}).filter(
                lambda name: name not in properties
            ),
            strategy_for(value),
            max_size=MAX_MAP_KEYS,
        )
        for pattern, value in sorted(patterns.items())
    ]

    @st.composite
    def combined(draw: st.DrawFn) -> dict[str, Any]:
        out = dict(draw(fixed))
        for strategy in maps:
            out.update(draw(strategy))
        return out

    return combined().filter(lambda value: len(value) >= low)


def raw_values() -> st.SearchStrategy[dict[str, Any]]:
    """Values sets straight from the schema, cross-references left to chance."""
    return strategy_for({k: v for k, v in SCHEMA.items() if k not in ("$defs", "$schema")})


@st.composite
def mixed_values(draw: st.DrawFn) -> dict[str, Any]:
    """Schema-valid values sets: each top-level section generated (one in three) or the default.

    A whole generated values set costs Hypothesis about 3,000 choices; drawing a few sections per
    set keeps an example near 100 ms while every section is still generated in every run, and
    failures shrink towards the chart's own defaults.
    """
    values: dict[str, Any] = {}
    for key, node in SCHEMA["properties"].items():
        if key in DEFAULTS and draw(st.integers(0, 2)) > 0:
            values[key] = copy.deepcopy(DEFAULTS[key])
        else:
            values[key] = draw(strategy_for(node))
    return values


# -- cross-references the schema cannot express ------------------------------------------------


def _enabled(app: dict[str, Any]) -> bool:
    return bool(app.get("enabled", True))


@st.composite
def consistent_values(draw: st.DrawFn) -> dict[str, Any]:
    """A schema-valid values set whose apps, topics, scopes and components agree."""
    values = copy.deepcopy(draw(mixed_values()))
    apps: dict[str, Any] = values["apps"]
    topics: list[str] = values["pubsub"]["topics"]
    subsets = st.lists(st.sampled_from(topics), unique=True, max_size=len(topics))
    for app in apps.values():
        for field in ("publishes", "subscribes"):
            if field in app:
                app[field] = draw(subsets)
    if not any(_enabled(a) for a in apps.values()):
        apps[draw(st.sampled_from(sorted(apps)))]["enabled"] = True
    enabled = sorted(name for name, app in apps.items() if _enabled(app))

    values["pubsub"]["deadLetterTopics"] = [
        t for t in values["pubsub"]["deadLetterTopics"] if t not in topics
    ]
    kept: list[dict[str, Any]] = []
    names: set[str] = set()
    for sub in values["subscriptions"] if values["pubsub"]["enabled"] else []:
        sub["topic"] = draw(st.sampled_from(topics))
        if "deadLetterTopic" in sub and sub["deadLetterTopic"] in topics:
            sub["deadLetterTopic"] = (sub["topic"] + "-dlq")[-249:]
        if sub["name"] in names or sub.get("deadLetterTopic") in topics:
            continue
        names.add(sub["name"])
        sub["scopes"] = draw(st.lists(st.sampled_from(enabled), min_size=1, unique=True))
        kept.append(sub)
    values["subscriptions"] = kept

    def ensure_user(flag: str) -> None:
        if not any(apps[name].get(flag) for name in enabled):
            apps[draw(st.sampled_from(enabled))][flag] = True

    for component, flag in (
        ("stateStore", "stateStore"),
        ("secretStore", "secretStore"),
        ("scheduler", "scheduler"),
    ):
        if values[component]["enabled"]:
            ensure_user(flag)
    talks = any(apps[name].get("publishes") or apps[name].get("subscribes") for name in enabled)
    if values["pubsub"]["enabled"] and not kept and not talks:
        apps[draw(st.sampled_from(enabled))]["publishes"] = [topics[0]]
    if values["tests"]["enabled"] and values["tests"]["appId"] in apps:
        values["tests"]["enabled"] = False
    _align_secrets_and_rules(values)

    # One set in ten keeps the conflicts the chart refuses with a `fail` naming the values path.
    # Hypothesis draws the simplest value, 0, far more often than one time in ten, so 0 must be
    # the side that clears the conflicts and the last value the side that keeps them;
    # shrinking then also moves a failure towards a cleared set.
    if draw(st.integers(0, 9)) < 9:
        kafka = values["pubsub"]["kafka"]
        if kafka["auth"]["type"] == "none":
            kafka["tls"]["enabled"] = False
        network = values["networkPolicy"]
        for peer in [network[k] for k in ("kafka", "postgres", "apiServer", "tracing")]:
            if not peer.get("cidrs") and not peer.get("namespaces"):
                peer["namespaces"] = [network["controlPlaneNamespace"]]
        _avoid_refusals(values)
        scheduler = values["scheduler"]
        scheduler["schedule"] = forward_ranges(scheduler["schedule"])
        for section in ("pubsub", "stateStore", "scheduler", "secretStore"):
            items = values[section]["extraMetadata"]
            values[section]["extraMetadata"] = list(
                {item["name"].lower(): item for item in reversed(items)}.values()
            )[::-1]
    return values


def _align_secrets_and_rules(values: dict[str, Any]) -> None:
    """Declared Secrets need the secret store; ipBlock excepts must lie inside their cidr."""
    for app in values["apps"].values():
        if app.get("secrets") and not values["secretStore"]["enabled"]:
            app["secrets"] = []
        if app.get("secrets"):
            app["secretStore"] = True
    for rule in _raw_rules(values):
        for peer in rule["to" if "to" in rule else "from"]:
            block = peer.get("ipBlock")
            if block and "except" in block:
                # Kubernetes wants every except inside the cidr; the chart cannot check that.
                block["except"] = [c for c in block["except"] if _inside(c, block["cidr"])]


def _avoid_refusals(values: dict[str, Any]) -> None:
    """Clear the conflicts of the newer sections that the chart refuses with a `fail`."""
    for rule in _raw_rules(values):
        for port in rule["ports"]:
            if port.get("endPort", port["port"]) < port["port"]:
                port["port"], port["endPort"] = port["endPort"], port["port"]
    if values["rbac"]["create"]:
        for name, app in values["apps"].items():
            if app.get("secrets") and not app.get("serviceAccount"):
                app["serviceAccount"] = name
    resources = values["tests"]["resources"]
    for key in ("cpu", "memory"):
        # The API server refuses a request above its limit; the chart refuses it too.
        if _milli(resources["requests"][key]) > _milli(resources["limits"][key]):
            resources["limits"][key] = resources["requests"][key]
    values["subscriptions"] = _one_subscription_per_topic_and_app(values["subscriptions"])
    if any(sub.get("deadLetterTopic") for sub in values["subscriptions"]):
        values["resiliency"]["pubsub"]["circuitBreaker"]["enabled"] = False
    controls = [values["configuration"]["accessControl"]]
    controls += [app["accessControl"] for app in values["apps"].values() if "accessControl" in app]
    for control in controls:
        # daprd keeps one policy per caller (appId, namespace); the chart refuses a second.
        policies = {(p["appId"], p["namespace"]): p for p in control["policies"]}
        control["policies"] = list(policies.values())
    _kafka_tls_for_auth(values["pubsub"]["kafka"])
    _deliveries_within_budget(values)


_DURATION_PART = re.compile(r"([0-9.]+)(ns|us|ms|h|m|s)")
_DURATION_MS = {"h": 3_600_000.0, "m": 60_000.0, "s": 1000.0, "ms": 1.0, "us": 1e-3, "ns": 1e-6}


def _duration_ms(text: str) -> float:
    return sum(float(n) * _DURATION_MS[u] for n, u in _DURATION_PART.findall(text))


def _delivery_ms(timeout: str, retry: dict[str, Any]) -> float:
    """The chart's todo-dapr.deliveryBudgetMs: every attempt times out, every wait is longest."""
    retries = int(retry["maxRetries"])
    total = _duration_ms(timeout) * (retries + 1)
    if retry["policy"] == "constant":
        return total + _duration_ms(retry["duration"]) * retries
    interval, cap = 500.0, _duration_ms(retry["maxInterval"])
    for _ in range(retries):
        total += min(interval, cap) * 1.5
        interval *= 1.5
    return total


def _deliveries_within_budget(values: dict[str, Any]) -> None:
    """A handlerTimeout only on apps that receive messages, and every delivery within the 60s
    the chart allows (apps.<id>.handlerTimeout, resiliency.inbound)."""
    inbound = values["resiliency"]["inbound"]
    if _delivery_ms(inbound["timeout"], inbound["retry"]) > 60_000:
        inbound["timeout"] = "15s"
        inbound["retry"].update(duration="1s", maxInterval="5s")
        inbound["retry"]["maxRetries"] = min(int(inbound["retry"]["maxRetries"]), 2)
    receivers = {app for sub in values["subscriptions"] for app in sub["scopes"]}
    receivers |= {name for name, app in values["apps"].items() if app.get("subscribes")}
    for name, app in values["apps"].items():
        timeout = app.get("handlerTimeout")
        if timeout is not None and (
            name not in receivers or _delivery_ms(timeout, inbound["retry"]) > 60_000
        ):
            del app["handlerTimeout"]


def _kafka_tls_for_auth(kafka: dict[str, Any]) -> None:
    """TLS settings the Kafka auth type can use (the chart refuses the others): certificate and
    mtls need TLS and a CA, mtls a client certificate and key that no other type reads, PLAIN
    needs TLS, and a CA is only read with TLS on."""
    auth, tls = kafka["auth"]["type"], kafka["tls"]
    if auth in ("certificate", "mtls") or (
        auth == "password" and kafka["auth"]["mechanism"] == "PLAIN"
    ):
        tls["enabled"] = True
    if auth in ("certificate", "mtls"):
        tls["caCert"]["name"] = tls["caCert"]["name"] or "kafka-tls"
    for key in ("clientCert", "clientKey"):
        tls[key]["name"] = (tls[key]["name"] or "kafka-tls") if auth == "mtls" else ""
    if not tls["enabled"]:
        tls["caCert"]["name"] = ""


_QUANTITY_FACTORS = {
    "m": 1,
    "": 1000,
    "k": 10**6,
    "M": 10**9,
    "G": 10**12,
    "Ki": 1024 * 1000,
    "Mi": 1024**2 * 1000,
    "Gi": 1024**3 * 1000,
}


def _milli(quantity: str) -> int:
    """A quantity of the schema's $defs/quantity (digits and a suffix) in thousandths."""
    digits = quantity.rstrip("".join(_QUANTITY_FACTORS))
    return int(digits) * _QUANTITY_FACTORS[quantity[len(digits) :]]


def _one_subscription_per_topic_and_app(subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``subs`` with each app taken out of a later subscription to a topic it already receives
    (a sidecar keeps only the first; the chart refuses the second), and emptied ones dropped.
    The first subscription of each topic keeps all its apps, so a pub/sub user never goes."""
    receives: set[tuple[str, str]] = set()
    kept = []
    for sub in subs:
        sub["scopes"] = [app for app in sub["scopes"] if (sub["topic"], app) not in receives]
        receives.update((sub["topic"], app) for app in sub["scopes"])
        if sub["scopes"]:
            kept.append(sub)
    return kept


def _raw_rules(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Every raw NetworkPolicy rule of a values set: the shared ones and each app's own."""
    network = values["networkPolicy"]
    rules = [*network["extraEgress"], *network["extraIngress"]]
    for app in values["apps"].values():
        own = app.get("networkPolicy", {})
        rules += [*own.get("extraEgress", []), *own.get("extraIngress", [])]
    return rules


def _inside(inner: str, outer: str) -> bool:
    """True when CIDR ``inner`` is a strict subnet of ``outer`` (host bits ignored)."""
    small = ipaddress.ip_network(inner, strict=False)
    big = ipaddress.ip_network(outer, strict=False)
    return small.version == big.version and small != big and small.subnet_of(big)  # type: ignore[arg-type]


_CRON_NAMES = {
    **{month: number + 1 for number, month in enumerate(MONTHS)},
    **{day: number for number, day in enumerate(DAYS)},
}
_CRON_RANGE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]+)-([0-9A-Za-z]+)")


def forward_ranges(schedule: str) -> str:
    """``schedule`` with every backwards range (5-3, FRI-MON) turned round, which the chart
    would otherwise refuse."""

    def value(text: str) -> int:
        return _CRON_NAMES.get(text.lower(), int(text) if text.isdigit() else -1)

    def turn(match: re.Match[str]) -> str:
        low, high = match.groups()
        return f"{high}-{low}" if value(low) > value(high) else match.group(0)

    return _CRON_RANGE.sub(turn, schedule)


# -- how Helm sees a values file -------------------------------------------------------------------


def helm_file(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as a -f file that Helm reads as exactly ``values``.

    Helm merges a values file into the chart's values.yaml: maps are merged key by key, so a
    default key the generated set does not have (an app of the defaults, a dns pod label) would
    come back. A null deletes it, which is how a user drops a default too.
    """

    def nulls(mine: Any, default: Any) -> Any:
        if not isinstance(mine, dict) or not isinstance(default, dict):
            return mine
        out = {key: nulls(value, default.get(key)) for key, value in mine.items()}
        for key in default:
            if key not in mine:
                out[key] = None
        return out

    result: dict[str, Any] = nulls(values, DEFAULTS)
    return result


# -- walking a values set alongside its schema -------------------------------------------------


def walk(
    value: Any, node: dict[str, Any], path: Path_ = ()
) -> Iterator[tuple[Path_, Any, dict[str, Any]]]:
    """Every (path, value, schema node) of a valid values set, the root included.

    For oneOf/anyOf the branch that accepts the value is followed.
    """
    raw = node
    node = resolve(node)
    for combinator in ("oneOf", "anyOf"):
        if combinator in node and node.get("type") is None and "properties" not in node:
            for branch in node[combinator]:
                if _validator(branch).is_valid(value):
                    yield from walk(value, {**branch, **_ref_marker(raw)}, path)
                    return
    yield path, value, {**node, **_ref_marker(raw)}
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for key, child in value.items():
            if key in properties:
                yield from walk(child, properties[key], (*path, key))
                continue
            for pattern, sub in node.get("patternProperties", {}).items():
                if re.search(pattern, key):
                    yield from walk(child, sub, (*path, key))
                    break
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, child in enumerate(value):
            yield from walk(child, node["items"], (*path, index))


def _ref_marker(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return {"x-ref": ref} if isinstance(ref, str) else {}


def set_at(values: dict[str, Any], path: Path_, new: Any) -> dict[str, Any]:
    out = copy.deepcopy(values)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


def helm_pointer(path: Path_) -> str:
    """How Helm 4 names a values path in a schema error: ``'/pubsub/kafka/auth'``.

    A JSON pointer (RFC 6901): ``~`` and ``/`` inside a key are written ``~0`` and ``~1``.
    """
    steps = (str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return "'/" + "/".join(steps) + "'" if path else "''"


# -- mutations that the schema must refuse ---------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    kind: str
    path: Path_
    values: dict[str, Any]
    # A string Helm's message must contain besides the path (the unknown key), if any.
    mention: str = ""
    # A string that must not appear anywhere in Helm's output (a literal where a secret belongs).
    secret: str = ""

    def describe(self) -> str:
        return f"{self.kind} at {'.'.join(map(str, self.path)) or '<root>'}"


WRONG_TYPES: list[Any] = ["a-string", 12345, 1.5, True, ["a", "b"], {"k": "v"}]
MUTATION_KINDS = ("wrong-type", "unknown-key", "literal-secret", "bad-enum")


@st.composite
def mutations(draw: st.DrawFn, kind: str) -> Mutation:
    """Break a valid values set in one place, in the way ``kind`` names."""
    base = draw(mixed_values())
    nodes = list(walk(base, SCHEMA))
    if kind == "wrong-type":
        path, value, _node = draw(st.sampled_from([n for n in nodes if n[0]]))
        replacement = draw(st.sampled_from([w for w in WRONG_TYPES if type(w) is not type(value)]))
        mutated = set_at(base, path, replacement)
        return _checked(Mutation(kind, path, mutated), draw)
    if kind == "unknown-key":
        closed = [
            n for n in nodes if isinstance(n[1], dict) and n[2].get("additionalProperties") is False
        ]
        path, value, node = draw(st.sampled_from(closed))
        key = draw(
            st.from_regex(r"[A-Za-z][A-Za-z0-9_]{2,12}", fullmatch=True).filter(
                lambda k: (
                    k not in node.get("properties", {})
                    and not any(re.search(p, k) for p in node.get("patternProperties", {}))
                )
            )
        )
        target = {**value, key: draw(st.sampled_from(WRONG_TYPES))}
        mutated = set_at(base, path, target) if path else target
        return _checked(Mutation(kind, path, mutated, mention=key), draw)
    if kind == "literal-secret":
        refs = [n for n in nodes if n[2].get("x-ref") == SECRET_REF]
        path, _value, _node = draw(st.sampled_from(refs))
        literal = "lit-" + draw(st.from_regex(r"[A-Za-z0-9]{12,20}", fullmatch=True))
        mutated = set_at(base, path, literal)
        return _checked(Mutation(kind, path, mutated, secret=literal), draw)
    if kind == "bad-enum":
        enums = [n for n in nodes if n[0] and "enum" in n[2]]
        path, value, node = draw(st.sampled_from(enums))
        allowed = node["enum"]
        wrong = draw(
            st.one_of(
                st.sampled_from([f"{a}x" for a in allowed if isinstance(a, str)]),
                st.text(min_size=1, max_size=12),
                st.sampled_from(
                    [str(a).upper() for a in allowed if str(a).upper() not in allowed] or ["X"]
                ),
            ).filter(lambda w: w not in allowed)
        )
        mutated = set_at(base, path, wrong)
        return _checked(Mutation(kind, path, mutated), draw)
    raise ValueError(f"unknown mutation kind {kind}")


def _checked(mutation: Mutation, draw: st.DrawFn) -> Mutation:
    """Keep only mutations that really break the schema (others say nothing about Helm)."""
    del draw
    assume(not VALIDATOR.is_valid(mutation.values))
    return mutation
