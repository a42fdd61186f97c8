"""A single-node Kafka broker in KRaft mode (broker and controller in one JVM, no ZooKeeper) on
127.0.0.1, from the Maven Central jars listed in ``cluster/kafka/pom.xml``, with small helpers
the tests use to create a topic, produce and read messages."""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.cluster.cache import cache_root, locked, require_tool
from tools.cluster.processes import (
    ClusterError,
    Started,
    free_port,
    log_tail,
    start,
    stop,
    wait_until,
)

BUILD_DIR = Path(__file__).resolve().parents[2] / "cluster" / "kafka"
POM = BUILD_DIR / "pom.xml"
LOG_CONFIG = BUILD_DIR / "log4j2.properties"
NAME = "kafka"
NODE_ID = 1
READY_DEADLINE_S = 90.0
MAVEN_DEADLINE_S = 20 * 60
TOOL_DEADLINE_S = 60.0
MIN_JAVA = 17
_OUTPUT_TAIL = 4000
# The broker's heap: with the log cleaner's dedupe buffer cut to 8 MiB (the default 128 MiB
# does not fit) a test broker stays near 190 MB resident.
BROKER_JVM = (
    "-Xms32m",
    "-Xmx192m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
)
TOOL_JVM = ("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData")
_JAVA_HINT = (
    f"the Kafka broker needs Java {MIN_JAVA} or newer "
    "(Debian: apt-get install openjdk-17-jre-headless)"
)
_MAVEN_HINT = (
    "the Kafka jars are fetched from Maven Central with Maven (Debian: apt-get install maven)"
)
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")

# Kafka wire protocol: the request keys and versions used here (all valid in Kafka 4.x).
_METADATA, _METADATA_V = 3, 4
_CREATE_TOPICS, _CREATE_TOPICS_V = 19, 4
_RESPONSE_LIMIT = 1 << 20
_TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class Kafka:
    """A running broker: ``bootstrap`` is what a client's ``brokers`` setting takes."""

    host: str
    port: int
    controller_port: int
    cluster_id: str
    data_dir: Path
    started: Started

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"


def kafka_version() -> str:
    """The Kafka release ``cluster/kafka/pom.xml`` asks for (its ``kafka.version``)."""
    root = ET.parse(POM).getroot()
    found = root.find(
        "{http://maven.apache.org/POM/4.0.0}properties/"
        "{http://maven.apache.org/POM/4.0.0}kafka.version"
    )
    if found is None or not (found.text or "").strip():
        raise ClusterError(f"{POM} has no <kafka.version> property")
    return (found.text or "").strip()


@functools.cache
def _java() -> str:
    java = require_tool("java", _JAVA_HINT)
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClusterError(f"`java -version` failed: {exc}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if match is None:
        raise ClusterError(f"cannot read the Java version from: {done.stderr.strip()[:200]}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_x" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise ClusterError(f"{java} is Java {major}; {_JAVA_HINT}")
    return java


def kafka_libs() -> Path:
    """The directory of the broker's jars, copied once from Maven Central into
    ``<cache>/kafka-<version>/libs``; copied again when ``pom.xml`` changes."""
    version = kafka_version()
    home = cache_root() / f"kafka-{version}"
    libs = home / "libs"
    stamp = home / "pom.sha256"
    want = hashlib.sha256(POM.read_bytes()).hexdigest()

    def current() -> bool:
        try:
            have = stamp.read_text(encoding="ascii").strip()
        except OSError:
            return False
        return have == want and (libs / f"kafka_2.13-{version}.jar").is_file()

    if current():
        return libs
    mvn = require_tool("mvn", _MAVEN_HINT)
    _java()
    with locked(NAME):
        if current():
            return libs
        home.mkdir(parents=True, exist_ok=True)
        partial = home / f"libs.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        print(
            f"todo-dapr cluster: fetching the Kafka {version} jars from Maven Central "
            "(first time only)",
            file=sys.stderr,
            flush=True,
        )
        began = time.monotonic()
        argv = [
            mvn,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}",
        ]
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=MAVEN_DEADLINE_S, check=False
            )
        except subprocess.TimeoutExpired:
            shutil.rmtree(partial, ignore_errors=True)
            raise ClusterError(
                f"fetching the Kafka jars took more than {MAVEN_DEADLINE_S // 60} min and was "
                "stopped; is Maven Central reachable?"
            ) from None
        if done.returncode != 0 or not (partial / f"kafka_2.13-{version}.jar").is_file():
            shutil.rmtree(partial, ignore_errors=True)
            output = (done.stdout + done.stderr)[-_OUTPUT_TAIL:]
            raise ClusterError(
                f"`mvn dependency:copy-dependencies` for {POM} failed (exit {done.returncode}); "
                f"Maven Central must be reachable. Last output:\n{output}"
            )
        shutil.rmtree(libs, ignore_errors=True)
        partial.replace(libs)
        stamp.write_text(want + "\n", encoding="ascii")
        count = len(list(libs.glob("*.jar")))
        print(
            f"todo-dapr cluster: {count} Kafka jars in {time.monotonic() - began:.0f} s: {libs}",
            file=sys.stderr,
            flush=True,
        )
    return libs


def _java_argv(libs: Path, jvm: Sequence[str], main: str, *, level: str, target: str) -> list[str]:
    return [
        _java(),
        *jvm,
        f"-Dlog4j2.configurationFile={LOG_CONFIG}",
        f"-Dkafka.log.level={level}",
        f"-Dkafka.log.target={target}",
        "-cp",
        str(libs / "*"),
        main,
    ]


def new_cluster_id() -> str:
    """A random cluster id in Kafka's form: 16 bytes, URL-safe base64 without padding, not
    starting with ``-`` (which command lines would read as an option)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):
            return text


def _server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        "controller.quorum.voters": f"{NODE_ID}@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir / "logs"),
        # Dapr's Kafka components never create topics: the first publish or subscribe does,
        # through the broker's automatic creation (on by default; said here on purpose).
        "auto.create.topics.enable": "true",
        "num.partitions": "1",
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # A consumer group's first member gets its partitions at once, not after 3 s.
        "group.initial.rebalance.delay.ms": "0",
        "log.cleaner.dedupe.buffer.size": str(8 << 20),
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def start_kafka(run_dir: Path, libs: Path | None = None) -> Kafka:
    """Format a new single-node cluster under ``run_dir/kafka`` and start it on two free ports
    of 127.0.0.1 (clients, controller); return once a Metadata request lists the broker."""
    libs = libs or kafka_libs()
    port, controller_port = free_port(), free_port()
    while controller_port == port:
        controller_port = free_port()
    data_dir = run_dir / "kafka"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, mode=0o700)
    config = data_dir / "server.properties"
    config.write_text(_server_properties(data_dir, port, controller_port), encoding="utf-8")
    cluster_id = new_cluster_id()
    fmt = [
        *_java_argv(libs, TOOL_JVM, "kafka.tools.StorageTool", level="warn", target="SYSTEM_ERR"),
        "format",
        "--cluster-id",
        cluster_id,
        "--config",
        str(config),
    ]
    try:
        done = subprocess.run(
            fmt, capture_output=True, text=True, timeout=TOOL_DEADLINE_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise ClusterError(
            f"formatting the Kafka storage took more than {TOOL_DEADLINE_S:.0f} s"
        ) from None
    if done.returncode != 0:
        raise ClusterError(
            f"formatting the Kafka storage in {data_dir} failed (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr)[-_OUTPUT_TAIL:]}"
        )
    argv = [
        *_java_argv(libs, BROKER_JVM, "kafka.Kafka", level="info", target="SYSTEM_OUT"),
        str(config),
    ]
    started = start(NAME, argv, run_dir=run_dir)
    broker = Kafka("127.0.0.1", port, controller_port, cluster_id, data_dir, started)
    try:
        wait_until(
            lambda: _broker_listed(broker),
            what=f"ready on {broker.bootstrap}",
            started=started,
            deadline_s=READY_DEADLINE_S,
        )
    except BaseException:
        stop(run_dir, NAME)
        raise
    return broker


def stop_kafka(run_dir: Path) -> None:
    """Stop the broker started from ``run_dir`` (a clean shutdown takes about 2 s)."""
    stop(run_dir, NAME, grace_s=20.0)


# --- Kafka wire protocol (only what readiness and topic creation need) ---


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str | None:
        size = self.take(">h")
        if size < 0:
            return None
        text = self.data[self.at : self.at + size].decode("utf-8", "replace")
        self.at += size
        return text

    def int32s(self) -> list[int]:
        return [self.take(">i") for _ in range(max(0, self.take(">i")))]


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">h", len(raw)) + raw


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _call(bootstrap: str, api_key: int, version: int, body: bytes, timeout_s: float) -> _Reader:
    """One request and its response over a fresh connection (request header v1, response
    header v0: the non-flexible versions used here)."""
    host, _, port = bootstrap.rpartition(":")
    header = struct.pack(">hhi", api_key, version, 1) + _string("todo-dapr-tests")
    request = header + body
    with socket.create_connection((host, int(port)), timeout=timeout_s) as sock:
        sock.settimeout(timeout_s)
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _recv_exact(sock, 4))
        if not 4 <= size <= _RESPONSE_LIMIT:
            raise ConnectionError(f"unexpected Kafka response size {size}")
        reader = _Reader(_recv_exact(sock, size))
    if reader.take(">i") != 1:
        raise ConnectionError("Kafka response for another request")
    return reader


@dataclass(frozen=True)
class Metadata:
    """The parts of a Metadata response the tests look at."""

    brokers: dict[int, str]
    controller_id: int
    # topic -> (error code, leader of each partition in partition order)
    topics: dict[str, tuple[int, list[int]]]


def metadata(bootstrap: str, topics: Sequence[str] = (), *, timeout_s: float = 5.0) -> Metadata:
    """A Metadata request (v4) for ``topics`` (none: brokers only), never creating a topic."""
    body = struct.pack(">i", len(topics)) + b"".join(_string(t) for t in topics)
    body += struct.pack(">b", 0)  # allow_auto_topic_creation
    reader = _call(bootstrap, _METADATA, _METADATA_V, body, timeout_s)
    reader.take(">i")  # throttle_time_ms
    brokers: dict[int, str] = {}
    for _ in range(reader.take(">i")):
        node = reader.take(">i")
        host = reader.string() or ""
        port = reader.take(">i")
        reader.string()  # rack
        brokers[node] = f"{host}:{port}"
    reader.string()  # cluster_id
    controller = reader.take(">i")
    found: dict[str, tuple[int, list[int]]] = {}
    for _ in range(reader.take(">i")):
        error = reader.take(">h")
        name = reader.string() or ""
        reader.take(">b")  # is_internal
        leaders: list[tuple[int, int]] = []
        for _ in range(reader.take(">i")):
            reader.take(">h")  # partition error
            index = reader.take(">i")
            leaders.append((index, reader.take(">i")))
            reader.int32s()  # replicas
            reader.int32s()  # isr
        found[name] = (error, [leader for _, leader in sorted(leaders)])
    return Metadata(brokers, controller, found)


def _broker_listed(broker: Kafka) -> bool:
    try:
        meta = metadata(broker.bootstrap, timeout_s=2.0)
    except (OSError, struct.error):
        return False
    return NODE_ID in meta.brokers and meta.controller_id >= 0


def _check_topic(topic: str) -> None:
    if not _TOPIC_NAME.match(topic) or topic in {".", ".."}:
        raise ClusterError(f"{topic!r} is not a valid Kafka topic name")


def create_topic(
    broker: Kafka, topic: str, *, partitions: int = 1, deadline_s: float = 30.0
) -> None:
    """Create ``topic`` (nothing happens when it exists) and wait until every partition has a
    leader."""
    _check_topic(topic)
    body = struct.pack(">i", 1) + _string(topic) + struct.pack(">ih", partitions, 1)
    body += struct.pack(">ii", 0, 0)  # no manual assignment, no configs
    body += struct.pack(">ib", int(deadline_s * 1000), 0)  # timeout_ms, validate_only
    reader = _call(broker.bootstrap, _CREATE_TOPICS, _CREATE_TOPICS_V, body, deadline_s)
    reader.take(">i")  # throttle_time_ms
    for _ in range(reader.take(">i")):
        name = reader.string()
        error = reader.take(">h")
        message = reader.string()
        if error not in (0, _TOPIC_ALREADY_EXISTS):
            raise ClusterError(f"creating Kafka topic {name} failed: error {error} {message or ''}")
    wait_for_topic(broker, topic, deadline_s=deadline_s)


def wait_for_topic(broker: Kafka, topic: str, *, deadline_s: float = 30.0) -> None:
    """Wait until ``topic`` exists and each of its partitions has a leader."""

    def ready() -> bool:
        error, leaders = metadata(broker.bootstrap, [topic]).topics.get(topic, (-1, []))
        return error == 0 and bool(leaders) and all(leader >= 0 for leader in leaders)

    wait_until(ready, what=f"serving topic {topic}", started=broker.started, deadline_s=deadline_s)


def _run_tool(
    broker: Kafka, main: str, args: Sequence[str], *, stdin: str | None, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    argv = [
        *_java_argv(kafka_libs(), TOOL_JVM, main, level="warn", target="SYSTEM_ERR"),
        *args,
    ]
    try:
        return subprocess.run(
            argv, input=stdin, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise ClusterError(
            f"{main.rsplit('.', 1)[-1]} against {broker.bootstrap} took more than "
            f"{timeout_s:.0f} s; broker log:\n{log_tail(broker.started.log)}"
        ) from None


def produce(broker: Kafka, topic: str, values: Sequence[str]) -> None:
    """Send ``values`` (one message each, no key; no newline inside a value) to ``topic``
    with Kafka's console producer, waiting for every acknowledgement."""
    _check_topic(topic)
    if any("\n" in value for value in values):
        raise ValueError("a message value for produce() cannot contain a newline")
    done = _run_tool(
        broker,
        "org.apache.kafka.tools.ConsoleProducer",
        [
            "--bootstrap-server",
            broker.bootstrap,
            "--topic",
            topic,
            "--producer-property",
            "acks=all",
        ],
        stdin="".join(f"{value}\n" for value in values),
        timeout_s=TOOL_DEADLINE_S,
    )
    if done.returncode != 0 or "ERROR" in done.stderr:
        raise ClusterError(
            f"producing to Kafka topic {topic} failed (exit {done.returncode}):\n"
            f"{done.stderr[-_OUTPUT_TAIL:]}"
        )


def consume(
    broker: Kafka,
    topic: str,
    *,
    max_messages: int = 1,
    timeout_s: float = 10.0,
    group: str | None = None,
) -> list[str]:
    """Up to ``max_messages`` values of ``topic`` read from its beginning, one string per
    line a value prints; fewer when no new message came for ``timeout_s``. ``group``: read
    as that consumer group (committing offsets), else without one."""
    _check_topic(topic)
    args = [
        "--bootstrap-server",
        broker.bootstrap,
        "--topic",
        topic,
        "--from-beginning",
        "--max-messages",
        str(max_messages),
        "--timeout-ms",
        str(int(timeout_s * 1000)),
    ]
    if group is not None:
        args += ["--group", group]
    done = _run_tool(
        broker,
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        args,
        stdin=None,
        timeout_s=timeout_s + TOOL_DEADLINE_S,
    )
    # Running out of time is how the console consumer ends when fewer messages came (it logs
    # an ERROR with a TimeoutException and exits 0); anything else is a failure.
    timed_out = "errors.TimeoutException" in done.stderr
    if done.returncode != 0 or ("ERROR" in done.stderr and not timed_out):
        raise ClusterError(
            f"reading Kafka topic {topic} failed (exit {done.returncode}):\n"
            f"{done.stderr[-_OUTPUT_TAIL:]}"
        )
    return done.stdout.splitlines()
