"""One Dapr document loaded alone by a real daprd (standalone, our slim build), and what daprd
did with it: loaded it, refused it (exited, never got ready, dropped or changed it with a log
record saying so) or could not judge it (a network failure of a component that needs a server).

The log lines read here, and where daprd 1.18.2 writes them:

- ``Component loaded: <name> (<type>/<version>)``: ``processComponentAndDependents``
  (pkg/runtime/processor/components.go), after ``Init`` succeeded.
- ``Failed to init component ...`` then ``Error processing component, daprd will exit
  gracefully`` or, with ``ignoreErrors``, ``Ignoring error processing component``:
  ``processComponentAndDependents`` / ``processComponents`` (same file); ``incorrect type`` is
  the ``category`` lookup failing there.
- ``<kind> <name> references a secret store that isn't loaded``: ``secret.ProcessResource``
  (pkg/runtime/processor/secret/secret.go); the component waits for that store forever
  (``preprocessOneComponent``), so it is never loaded.
- ``daprd load <kind> error when parsing manifests yaml resource``: ``decodeYaml``
  (pkg/internal/loader/disk/manifest.go), a document that does not decode into its Go type or
  whose name is not a path segment; it is skipped. A document of another apiVersion is skipped
  there without a word.
- ``Loading Resiliency configuration: <name>``, ``Could not read resiliency policy``,
  ``Could not parse resiliency file``: ``FromConfigurations`` / ``loadLocalResiliencyPath``
  (pkg/resiliency/resiliency.go); ``Attempted override of ...`` and ``Attempted to override
  protected policy`` are ``decodePolicies`` changing a policy.
- ``error loading configuration``: ``FromConfig`` (pkg/runtime/config.go) returning
  ``LoadStandaloneConfiguration``'s error (pkg/config/configuration.go); daprd exits.
- A Subscription whose route does not compile: ``AddPendingSubscription``
  (pkg/runtime/processor/subscriptions.go) sends the error to ``processSubscriptions``, which
  ends the runtime.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.cluster.daprd import Daprd, json_records, start_daprd
from tools.cluster.processes import ClusterError, running, stop
from tools.cluster.stack import StackInfo

# The component types the slim daprd registers (cluster/daprd/components.go).
SLIM_TYPES = frozenset(
    {
        "pubsub.kafka",
        "state.postgresql",
        "state.postgres",
        "secretstores.kubernetes",
        "bindings.cron",
        "state.in-memory",
        "pubsub.in-memory",
        "secretstores.local.env",
        "secretstores.local.file",
        "bindings.localstorage",
    }
)
# The documents daprd reads from a resources path, and the Configuration it reads by --config.
RESOURCE_KINDS = frozenset({"Component", "Subscription", "Resiliency", "HTTPEndpoint"})
KINDS = RESOURCE_KINDS | {"Configuration"}
# Component types whose Init talks to a server (the stack's, when their address is rewritten).
_SERVER_TYPES = frozenset(
    {"pubsub.kafka", "state.postgresql", "state.postgres", "secretstores.kubernetes"}
)
# Rules whose error says the type is unknown to the real daprd as well: the slim build refuses
# it just the same, so such a component is judged even though the slim build lacks the type.
UNKNOWN_TYPE_RULES = frozenset({"dapr-unknown-type", "dapr-unknown-category"})

ACCEPTED = "accepted"
REFUSED = "refused"
NOT_JUDGEABLE = "not judgeable"
NOT_REGISTERED = "not registered"

START_DEADLINE_S = 10.0
# After ready: a Subscription's route error ends the runtime asynchronously.
SETTLE_S = 0.3
_SECRET_VALUE = "parity-placeholder"
_APP_ID = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# A component's init failure that says it could not reach its server or a file or cloud
# identity of the machine it was written for, not that daprd refused what was written.
_INIT_FAILURE = re.compile(r"Failed to init component|Ignoring error processing component")
_ENVIRONMENT = re.compile(
    r"connection refused|no such host|dial tcp|i/o timeout|server misbehaving|"
    r"network is unreachable|out of available brokers|lookup [^ ]+ on |"
    r"failed to connect to|failed to ping the database|context deadline exceeded|"
    r"no such file or directory|ChainedTokenCredential|DefaultAzureCredential|"
    r"failed to refresh cached credentials|unable to load in-cluster configuration",
    re.IGNORECASE,
)
# Warnings that say daprd dropped or changed what was written; other warnings (deprecations,
# defaults chosen) are not a refusal.
_DROPPING_WARNINGS = re.compile(
    r"error when parsing manifests|references a secret store that isn't loaded|"
    r"references an env variable that isn't allowed|Attempted override of|"
    r"Attempted to override protected policy|failed to create HTTP endpoints channels"
)
# Records every start of this build writes (no name resolver is registered; standalone).
_BASELINE = re.compile(
    r"initialization error occurred for nr \(mdns/v1\)|mTLS is disabled|increasedCardinality|"
    r"Actor runtime disabled|No scheduler host|App channel is not initialized|"
    r"Error processing component, daprd will exit gracefully|"
    # A Configuration's secret scope naming a store that is not loaded (judged alone).
    r"Secrets configuration added for .*, but no matching secret store was found"
)
# daprd's message -> the class shown in the parity table; first match wins.
_CLASSES: tuple[tuple[str, str], ...] = (
    (
        r"references a secret store that isn't loaded: $",
        "no secret store in standalone: secret left empty",
    ),
    (r"references a secret store that isn't loaded", "component waits for a secret store"),
    (r"references an env variable that isn't allowed", "envRef not allowed"),
    (r"error when parsing manifests", "manifest not decodable (skipped)"),
    (r"invalid name", "invalid name (skipped)"),
    (r"incorrect type", "incorrect type (no category)"),
    (r"couldn't find|could not find|not found in registry", "type or version not registered"),
    (r"init timeout|context deadline exceeded", "component init timed out"),
    (r"Failed to init component|Ignoring error processing component", "component init failed"),
    (
        r"Could not parse resiliency file|Could not determine resource type",
        "resiliency not decodable",
    ),
    (r"Could not read resiliency policy", "resiliency policy refused"),
    (r"Attempted override of .* resetting to 3", "built-in retry reset to 3"),
    (r"Attempted to override protected policy", "protected policy ignored"),
    (r"error loading configuration", "configuration refused"),
    (r"error setting tracing spec", "tracing spec refused"),
    (r"initialization error occurred for metrics", "metrics init failed"),
    (r"failed to create HTTP endpoints channels", "HTTP endpoint channel refused"),
    (r"^panic:|goroutine [0-9]+ \[", "panic"),
    (r"duplicate definition", "duplicate name"),
    (r"routing rule|\bCEL\b", "subscription route refused"),
    (r"Fatal|fatal", "fatal error"),
)


@dataclass(frozen=True)
class Setup:
    """The files one daprd start needs to judge one document."""

    kind: str
    name: str
    app_id: str
    resources: dict[str, str] = field(default_factory=dict)
    config: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    # Why daprd cannot judge the document here, when it cannot.
    unjudgeable: str = ""
    # A component that talks to a server: a start that never ends is not judged.
    needs_server: bool = False


@dataclass(frozen=True)
class Outcome:
    """daprd's verdict: ACCEPTED, REFUSED or NOT_JUDGEABLE, the class of its log message
    (the parity table's B column) and the message."""

    verdict: str
    reason: str = ""
    detail: str = ""
    seconds: float = 0.0


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _meta(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = doc.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _spec(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = doc.get("spec")
    return spec if isinstance(spec, dict) else {}


def is_loaded_kind(doc: Mapping[str, Any]) -> bool:
    """A document daprd reads from a resources path or by --config (any dapr.io version:
    the loader skips the other versions, which is daprd's verdict on them)."""
    return doc.get("kind") in KINDS and _str(doc.get("apiVersion")).startswith("dapr.io/")


def registered(doc: Mapping[str, Any], rules: frozenset[str]) -> bool:
    """Whether the slim build can judge the document: a Component of a type it registers, or
    of a type the validator says no daprd registers."""
    if doc.get("kind") != "Component":
        if doc.get("kind") == "Configuration":
            resolver = _spec(doc).get("nameResolution")
            # No name resolver is registered in the slim build.
            if isinstance(resolver, dict) and resolver.get("component"):
                return "dapr-name-resolution" in rules
        return True
    kind = _str(_spec(doc).get("type"))
    return kind in SLIM_TYPES or bool(rules & UNKNOWN_TYPE_RULES)


def _app_id(doc: Mapping[str, Any]) -> str:
    """The app the document is for: its first scope when it names one (daprd skips a resource
    scoped to other apps, which is no refusal), else ``parity``."""
    scopes = doc.get("scopes")
    if isinstance(scopes, list):
        for scope in scopes:
            if isinstance(scope, str) and _APP_ID.match(scope) and len(scope) < 60:
                return scope
    return "parity"


def _secret_refs(doc: Mapping[str, Any], stack: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """{secret name: {key: value}} for each secretKeyRef anywhere in the document's spec: the
    stack's server for a Kafka ``brokers`` or PostgreSQL ``connectionString``, else a
    placeholder."""
    refs: dict[str, dict[str, str]] = {}

    def walk(node: object, field_name: str) -> None:
        if isinstance(node, dict):
            ref = node.get("secretKeyRef")
            if isinstance(ref, dict) and isinstance(ref.get("name"), str) and ref["name"]:
                key = ref.get("key")
                key = key if isinstance(key, str) and key else ref["name"]
                name = _str(node.get("name")) or field_name
                value = {"brokers": stack.get("kafka"), "connectionstring": stack.get("postgres")}
                refs.setdefault(ref["name"], {})[key] = value.get(name.lower()) or _SECRET_VALUE
            for key, child in node.items():
                walk(child, str(key))
        elif isinstance(node, list):
            for child in node:
                walk(child, field_name)

    walk(doc.get("spec"), "")
    return refs


def _env_refs(doc: Mapping[str, Any], stack: Mapping[str, str]) -> dict[str, str]:
    """A value for each environment variable an ``envRef`` names (daprd's own environment
    would hold them): the stack's server for brokers or a connection string, else a
    placeholder."""
    env: dict[str, str] = {}
    for entry in _spec(doc).get("metadata") or []:
        if not isinstance(entry, dict) or "value" in entry:
            continue
        ref = entry.get("envRef")
        if isinstance(ref, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ref):
            name = _str(entry.get("name")).lower()
            value = {"brokers": stack.get("kafka"), "connectionstring": stack.get("postgres")}
            env[ref] = value.get(name) or _SECRET_VALUE
    return env


# The judged PostgreSQL components get databases of their own, one per component version: v1
# and v2 both default to a table named "state", of different shapes (a v2 document judged
# after a v1 one fails on "column expires_at does not exist"), and their migrations look a
# table up by name in every schema (so a schema of its own is not enough). The stack's own
# database stays as the other cluster tests (the chart's state store) left it.
DATABASES = {"v1": "parity_v1", "v2": "parity_v2"}


def prepare_postgres(info: StackInfo) -> None:
    """Create the databases the judged state stores are pointed at (once per stack)."""
    from tools.cluster.postgres import postgres_bin_dir

    psql = str(postgres_bin_dir() / "psql")
    for name in DATABASES.values():
        exists = subprocess.run(
            [
                psql,
                "-X",
                "-tAq",
                "-c",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
                info.postgres_dsn(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if exists.returncode == 0 and exists.stdout.strip() == "1":
            continue
        done = subprocess.run(
            [
                psql,
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"CREATE DATABASE {name}",
                info.postgres_dsn(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterError(f"creating database {name} failed: {done.stderr.strip()[-500:]}")


def stack_values(info: StackInfo) -> dict[str, str]:
    """What ``plan`` needs to point Kafka and PostgreSQL components at the stack."""
    return {
        "kafka": info.kafka_brokers,
        "postgres": info.postgres_dsn(),
        "pg_host": info.postgres_host,
        "pg_port": str(info.postgres_port),
        "pg_user": info.postgres_user,
        "pg_password": info.postgres_password,
        "pg_dbname": info.postgres_database,
    }


def _component(name: str, kind: str, metadata: Mapping[str, str] | None = None) -> str:
    doc: dict[str, Any] = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name},
        "spec": {
            "type": kind,
            "version": "v1",
            "metadata": [{"name": k, "value": v} for k, v in (metadata or {}).items()],
        },
    }
    return json.dumps(doc)


def _replace_once(text: str, old: str, new: str) -> str | None:
    if not old or text.count(old) != 1:
        return None
    return text.replace(old, new)


_PG_URL = re.compile(
    r"^(postgres(?:ql)?://)(?:[A-Za-z0-9._~:-]*@)?[A-Za-z0-9._~:-]*(/[A-Za-z0-9._-]*)?(\?.*)?$"
)
# A longer value is judged as written (a stress case, not an address).
_MAX_REWRITE = 1000
_PG_KEYS = ("host", "port", "user", "password", "dbname")
_PG_PAIR = re.compile(r"^[A-Za-z_]+=\S*$")


def _postgres_at_stack(value: str, stack: Mapping[str, str], database: str) -> str | None:
    """``value`` with its server, user and password those of the stack and its database
    ``database``; the other parameters (sslmode, timeouts...) kept. None when it is not a
    plainly written URL or keyword/value string: an odd one is judged as written (its Init
    fails either way)."""
    found = _PG_URL.match(value)
    if found:
        query = found.group(3) or ""
        return (
            f"{found.group(1)}{stack['pg_user']}:{stack['pg_password']}@{stack['pg_host']}:"
            f"{stack['pg_port']}/{database}{query}"
        )
    pairs = value.split()
    if pairs and all(_PG_PAIR.match(pair) for pair in pairs):
        kept = [pair for pair in pairs if pair.split("=", 1)[0] not in _PG_KEYS]
        ours = [f"{key}={stack['pg_' + key]}" for key in _PG_KEYS if key != "dbname"]
        return " ".join([*ours, f"dbname={database}", *kept])
    return None


def _point_at_stack(doc: Mapping[str, Any], text: str, stack: Mapping[str, str]) -> str:
    """A Kafka ``brokers`` list or a PostgreSQL ``connectionString`` written as a plain value,
    rewritten to the stack's servers (in the text, so that nothing else of the document
    changes): the component is judged on everything but where its server is."""
    kind = _str(_spec(doc).get("type"))
    field_name = {
        "pubsub.kafka": "brokers",
        "state.postgresql": "connectionstring",
        "state.postgres": "connectionstring",
    }.get(kind)
    if field_name is None or not stack:
        return text
    for entry in _spec(doc).get("metadata") or []:
        if not isinstance(entry, dict) or _str(entry.get("name")).lower() != field_name:
            continue
        value = entry.get("value")
        if not isinstance(value, str) or not value:
            continue
        if len(value) > _MAX_REWRITE:
            continue
        database = DATABASES["v2" if _str(_spec(doc).get("version")) == "v2" else "v1"]
        new = (
            stack["kafka"]
            if field_name == "brokers"
            else _postgres_at_stack(value, stack, database)
        )
        if new is not None and new != value:
            replaced = _replace_once(text, value, new)
            if replaced is not None:
                return replaced
    return text


def plan(doc: Mapping[str, Any], text: str, stack: Mapping[str, str]) -> Setup:
    """What daprd loads to judge ``doc`` (its own text ``text``) alone: the document, and
    what it needs from outside itself. A Subscription gets an in-memory pub/sub named as its
    ``pubsubname``; a resource naming ``auth.secretStore`` gets a local.file secret store of
    that name holding a placeholder for each secretKeyRef (a secretKeyRef without
    ``auth.secretStore`` is left as written: standalone daprd has no default store).
    ``stack`` holds the stack's ``kafka`` brokers and ``postgres`` DSN, when known."""
    kind = _str(doc.get("kind"))
    name = _str(_meta(doc).get("name"))
    app_id = _app_id(doc)
    if kind == "Configuration":
        return Setup(kind, name, app_id, config=text)
    resources: dict[str, str] = {}
    files: dict[str, str] = {}
    if kind == "Component":
        text = _point_at_stack(doc, text, stack)
    resources["document.yaml"] = text
    if kind == "Subscription":
        pubsub = _str(_spec(doc).get("pubsubname"))
        if pubsub:
            resources["companion-pubsub.yaml"] = _component(pubsub, "pubsub.in-memory")
    auth = doc.get("auth")
    store = _str(auth.get("secretStore")) if isinstance(auth, dict) else ""
    if store and store != name:
        files["secrets.json"] = json.dumps(_secret_refs(doc, stack))
        resources["companion-secretstore.yaml"] = _component(
            store,
            "secretstores.local.file",
            {"secretsFile": "{secrets}", "multiValued": "true"},
        )
    unjudgeable = ""
    tls = _spec(doc).get("clientTLS")
    if kind == "HTTPEndpoint" and store and "secretKeyRef" in json.dumps(tls):
        # A placeholder secret cannot stand for a certificate or key.
        unjudgeable = "certificate from a secret"
    server = kind == "Component" and _str(_spec(doc).get("type")) in _SERVER_TYPES
    return Setup(
        kind, name, app_id, resources, None, files, _env_refs(doc, stack), unjudgeable, server
    )


def classify(message: str) -> str:
    for pattern, label in _CLASSES:
        if re.search(pattern, message):
            return label
    return re.sub(r"[0-9]+|\"[^\"]*\"|'[^']*'", "…", message)[:80]


def _problems(records: list[dict[str, Any]]) -> list[str]:
    """The error records beyond those every start writes, and the warnings that say daprd
    dropped or changed something."""
    out = []
    for record in records:
        message = str(record.get("msg", ""))
        level = record.get("level")
        if _BASELINE.search(message):
            continue
        if level in ("error", "fatal", "panic") or (
            level == "warning" and _DROPPING_WARNINGS.search(message)
        ):
            out.append(message)
    return out


def _verdict_refused(problems: list[str], fallback: str, seconds: float) -> Outcome:
    for problem in problems:
        if "address already in use" in problem or "could not listen on any endpoint" in problem:
            return Outcome(NOT_JUDGEABLE, "ports taken", problem[:400], seconds)
    failures = [p for p in problems if _INIT_FAILURE.search(p)]
    for failure in failures:
        if _ENVIRONMENT.search(failure):
            return Outcome(NOT_JUDGEABLE, "environment", failure[:400], seconds)
    if not problems:
        return Outcome(REFUSED, fallback, "", seconds)
    return Outcome(REFUSED, classify(problems[0]), problems[0][:400], seconds)


def _judge_running(setup: Setup, daprd: Daprd, seconds: float) -> Outcome:
    if setup.kind == "Subscription":
        time.sleep(SETTLE_S)
    records, panic = _records(daprd.log)
    problems = _problems(records) + panic
    if not running(daprd.run_dir, daprd.name):
        return _verdict_refused(problems, "exited after start", seconds)
    meta: dict[str, Any] = {}
    if setup.kind in ("Component", "Subscription", "HTTPEndpoint"):
        try:
            meta = daprd.metadata(timeout_s=5)
        except (ClusterError, OSError, ValueError) as exc:
            # daprd may end just after it became ready (an asynchronous failure).
            time.sleep(SETTLE_S)
            if not running(daprd.run_dir, daprd.name):
                records, panic = _records(daprd.log)
                return _verdict_refused(_problems(records) + panic, "exited after start", seconds)
            return Outcome(NOT_JUDGEABLE, "metadata unavailable", str(exc)[:400], seconds)
    loaded = True
    if setup.kind == "Component":
        loaded = any(c.get("name") == setup.name for c in meta.get("components") or [])
    elif setup.kind == "Subscription":
        loaded = bool(meta.get("subscriptions"))
    elif setup.kind == "HTTPEndpoint":
        loaded = any(e.get("name") == setup.name for e in meta.get("httpEndpoints") or [])
    elif setup.kind == "Resiliency":
        said = [str(r.get("msg", "")) for r in records]
        loaded = f"Loading Resiliency configuration: {setup.name}" in said
    if problems:
        return _verdict_refused(problems, "", seconds)
    if not loaded:
        return Outcome(REFUSED, "not loaded, no log record", "", seconds)
    return Outcome(ACCEPTED, "", "", seconds)


def load_alone(
    binary: Path,
    setup: Setup,
    *,
    env: Mapping[str, str] | None = None,
    deadline_s: float = START_DEADLINE_S,
    keep: Path | None = None,
) -> Outcome:
    """Start daprd on ``setup`` in a fresh directory, judge, stop it (by its PID). A start
    that lost one of its free ports to another process is tried again."""
    if setup.unjudgeable:
        return Outcome(NOT_JUDGEABLE, setup.unjudgeable)
    for _attempt in range(3):
        outcome = _load_once(binary, setup, env=env, deadline_s=deadline_s, keep=keep)
        if outcome.reason != "ports taken":
            return outcome
    return outcome


def _load_once(
    binary: Path,
    setup: Setup,
    *,
    env: Mapping[str, str] | None,
    deadline_s: float,
    keep: Path | None,
) -> Outcome:
    scratch = Path(tempfile.mkdtemp(prefix="daprd-parity-"))
    try:
        resources = scratch / "resources"
        resources.mkdir()
        for file, content in setup.files.items():
            (scratch / file).write_text(content, encoding="utf-8")
        for file, content in setup.resources.items():
            text = content
            if file.startswith("companion-"):
                text = content.replace("{secrets}", str(scratch / "secrets.json"))
            (resources / file).write_text(text, encoding="utf-8")
        config = None
        if setup.config is not None:
            config = scratch / "config.yaml"
            config.write_text(setup.config, encoding="utf-8")
        run_dir = scratch / "run"
        began = time.monotonic()
        try:
            daprd = start_daprd(
                run_dir,
                binary,
                app_id=setup.app_id,
                resources_dir=resources,
                config_file=config,
                env={**setup.env, **(env or {})},
                ready_deadline_s=deadline_s,
            )
        except ClusterError as exc:
            seconds = time.monotonic() - began
            records, panic = _records(run_dir / f"daprd-{setup.app_id}.log")
            problems = _problems(records) + panic
            if "was not ready" in str(exc):
                if setup.needs_server and not problems:
                    return Outcome(NOT_JUDGEABLE, "start deadline", "", seconds)
                return _verdict_refused(problems, "never ready", seconds)
            return _verdict_refused(problems, "exited before ready", seconds)
        try:
            return _judge_running(setup, daprd, time.monotonic() - began)
        finally:
            daprd.stop(grace_s=5)
    finally:
        stop(scratch / "run", f"daprd-{setup.app_id}", grace_s=5)
        if keep is not None:
            shutil.copytree(scratch, keep, dirs_exist_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)


def _records(log: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON records of a daprd log (its first 4 MiB) and its Go panic line, if any."""
    try:
        with log.open("rb") as handle:
            data = handle.read(4 << 20)
    except OSError:
        return [], []
    lines = data.decode("utf-8", "replace").splitlines()
    panic = [line for line in lines if line.startswith("panic:")]
    return json_records(data), panic[:1]
