"""PostgreSQL for the stack: Debian's server binaries, a fresh cluster per run directory on
127.0.0.1 with TLS on (a self-signed certificate made by ``openssl``) and a ``todo`` role that
logs in with a password (SCRAM) and owns a ``todo`` database."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.cluster.cache import require_tool
from tools.cluster.processes import (
    ClusterError,
    Started,
    free_port,
    read_pid,
    running,
    start,
    stop,
    wait_until,
)

NAME = "postgres"
# PostgreSQL refuses to run as root; as root, the server runs as Debian's postgres user.
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
USER = "todo"
DATABASE = "todo"
READY_DEADLINE_S = 60.0
COMMAND_DEADLINE_S = 120.0
# Written into the run directory when the cluster lives elsewhere (see _home_dir).
HOME_POINTER = "postgres.home"
CA_FILE = "postgres-ca.crt"
APT_HINT = "Debian/Ubuntu: apt-get install postgresql (it brings postgresql-<major> and psql)"
_OUTPUT_TAIL = 4000
_BIN_DIRS = Path("/usr/lib/postgresql")


@dataclass(frozen=True)
class Postgres:
    """A running server; ``dsn()`` is a libpq/pgx keyword connection string for ``todo``."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str
    # The server's self-signed certificate: pass it as ``sslrootcert`` for verify-ca/-full.
    ca_file: Path
    data_dir: Path
    socket_dir: Path
    started: Started

    def dsn(self, sslmode: str = "disable", *, sslrootcert: Path | str | None = None) -> str:
        parts = [
            f"host={self.host}",
            f"port={self.port}",
            f"user={self.user}",
            f"password={self.password}",
            f"dbname={self.database}",
            f"sslmode={sslmode}",
        ]
        if sslrootcert is not None:
            parts.append(f"sslrootcert={sslrootcert}")
        return " ".join(parts)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def postgres_bin_dir() -> Path:
    """The newest Debian PostgreSQL server ``bin`` directory (``/usr/lib/postgresql/<major>/
    bin``), else ``pg_config --bindir`` when it holds the server; ClusterError otherwise."""
    candidates = sorted(
        (d for d in _BIN_DIRS.glob("*/bin") if (d / "initdb").is_file()),
        key=_version_key,
        reverse=True,
    )
    if candidates:
        return candidates[0]
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            )
            bindir = Path(done.stdout.strip())
            if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
                return bindir
    raise ClusterError(f"no PostgreSQL server (initdb, postgres) found; {APT_HINT}")


def _server_user() -> str | None:
    """The system user the server runs as: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise ClusterError(
            f"running as root, PostgreSQL needs the {SYSTEM_USER!r} system user; {APT_HINT}"
        ) from None
    return SYSTEM_USER


def _traversable(path: Path, user: str) -> bool:
    """Whether ``user`` can reach ``path``: search permission on it and on every parent."""
    entry = pwd.getpwnam(user)
    groups = set(os.getgrouplist(user, entry.pw_gid))
    for part in (path, *path.parents):
        try:
            info = part.stat()
        except OSError:
            continue  # not made yet: we make it, owned by that user
        if info.st_uid == entry.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def _home_dir(run_dir: Path, user: str | None) -> Path:
    """Where the cluster lives: ``run_dir/postgres``, or, when the server's user cannot reach
    ``run_dir`` (root's pytest temp dirs are mode 0700), a new directory under /tmp that the
    run directory points to in ``postgres.home``; ``stop_postgres`` removes it."""
    home = run_dir / "postgres"
    if user is None or _traversable(home, user):
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(mode=0o700)
    else:
        outside = next(
            (Path(d) for d in (tempfile.gettempdir(), "/tmp") if _traversable(Path(d), user)),
            None,
        )
        if outside is None:
            raise ClusterError(
                f"the {user} user cannot reach {run_dir} nor a temp directory; use a run "
                "directory every user can search (mode o+x on it and its parents)"
            )
        home = Path(tempfile.mkdtemp(prefix="todo-dapr-postgres-", dir=outside))
        (run_dir / HOME_POINTER).write_text(f"{home}\n", encoding="utf-8")
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    return home


def _env() -> dict[str, str]:
    """Our environment without libpq's ``PG*`` settings, which would change what psql does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _run(
    argv: Sequence[str],
    what: str,
    *,
    user: str | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=COMMAND_DEADLINE_S,
            check=False,
            cwd=cwd,
            env=dict(env) if env is not None else _env(),
            user=user,
            group=pwd.getpwnam(user).pw_gid if user else None,
            extra_groups=[] if user else None,
        )
    except subprocess.TimeoutExpired:
        raise ClusterError(f"{what} took more than {COMMAND_DEADLINE_S:.0f} s") from None
    except OSError as exc:
        raise ClusterError(f"{what} could not run ({argv[0]}): {exc}") from None
    if done.returncode != 0:
        raise ClusterError(
            f"{what} failed (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr)[-_OUTPUT_TAIL:]}"
        )
    return done.stdout


def _make_certificate(data_dir: Path, ca_copy: Path, user: str | None) -> None:
    """A self-signed certificate for ``localhost`` and ``127.0.0.1`` (so verify-full passes
    with it as the root), its key readable by the server's user only."""
    openssl = require_tool("openssl", "Debian/Ubuntu: apt-get install openssl")
    key, cert = data_dir / "server.key", data_dir / "server.crt"
    _run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "30", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        "making the PostgreSQL TLS certificate with openssl",
    )  # fmt: skip
    key.chmod(0o600)
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (key, cert):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    shutil.copyfile(cert, ca_copy)


def _settings(port: int, socket_dir: Path) -> str:
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{socket_dir}'",
        "unix_socket_permissions": "0700",
        "password_encryption": "'scram-sha-256'",
        "ssl": "on",
        "ssl_cert_file": "'server.crt'",
        "ssl_key_file": "'server.key'",
        # A throw-away test database: durability is not wanted, speed is.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "shared_buffers": "'32MB'",
        "huge_pages": "off",
        "logging_collector": "off",
    }
    return "\n# todo-dapr test stack\n" + "".join(f"{k} = {v}\n" for k, v in settings.items())


_HBA = (
    "# todo-dapr test stack: the Unix socket (in a directory only the server's user can reach)\n"
    "# is for setting up; every TCP client logs in with a password, TLS or not.\n"
    "local all all trust\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
)


def start_postgres(run_dir: Path, bin_dir: Path | None = None) -> Postgres:
    """initdb a new cluster, start it on a free port of 127.0.0.1 and create the ``todo`` role
    (random password) and database; return once ``todo`` can log in over TLS."""
    bin_dir = bin_dir or postgres_bin_dir()
    user = _server_user()
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir = run_dir.resolve()
    home = _home_dir(run_dir, user)
    data_dir, socket_dir = home / "data", home / "socket"
    port = free_port()
    password = secrets.token_hex(16)
    try:
        _run(
            [
                str(bin_dir / "initdb"), "-D", str(data_dir), "-U", SUPERUSER,
                "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                "--locale=C", "--no-sync", "--no-instructions",
            ],
            "initdb",
            user=user,
            cwd=home,
        )  # fmt: skip
        socket_dir.mkdir(mode=0o700)
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(socket_dir, entry.pw_uid, entry.pw_gid)
        with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(_settings(port, socket_dir))
        (data_dir / "pg_hba.conf").write_text(_HBA, encoding="utf-8")
        ca_file = run_dir / CA_FILE
        _make_certificate(data_dir, ca_file, user)
        started = start(
            NAME,
            [str(bin_dir / "postgres"), "-D", str(data_dir)],
            run_dir=run_dir,
            env=_env(),
            user=user,
            cwd=home,
        )
        database = Postgres(
            "127.0.0.1", port, USER, password, DATABASE, ca_file, data_dir, socket_dir, started
        )
        pg_isready = str(bin_dir / "pg_isready")
        wait_until(
            lambda: (
                subprocess.run(
                    [pg_isready, "-q", "-h", "127.0.0.1", "-p", str(port), "-t", "2"],
                    env=_env(),
                    timeout=10,
                    check=False,
                ).returncode
                == 0
            ),
            what=f"accepting connections on 127.0.0.1:{port}",
            started=started,
            deadline_s=READY_DEADLINE_S,
        )
        psql = str(bin_dir / "psql")
        # Two -c: CREATE DATABASE cannot run inside the transaction one -c would make.
        _run(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(socket_dir), "-p", str(port),
             "-U", SUPERUSER, "-d", "postgres",
             "-c", f"CREATE ROLE {USER} LOGIN CREATEDB PASSWORD '{password}'",
             "-c", f"CREATE DATABASE {DATABASE} OWNER {USER}"],
            "creating the todo role and database",
        )  # fmt: skip
        answer = _run(
            [psql, "-X", "-A", "-t", "-d", database.dsn("require"), "-c",
             "SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"],
            "logging in as todo over TLS",
        )  # fmt: skip
        if answer.strip() != f"{USER} true":
            raise ClusterError(f"logging in as {USER} over TLS gave {answer.strip()!r}")
    except BaseException:
        stop_postgres(run_dir)
        raise
    return database


def stop_postgres(run_dir: Path, *, grace_s: float = 15.0) -> None:
    """Fast shutdown (SIGINT: clients cut off, no waiting for them) of the server started from
    ``run_dir``, SIGTERM/SIGKILL to its process group after ``grace_s``; then remove a cluster
    kept outside the run directory."""
    pid = read_pid(run_dir, NAME)
    if pid is not None and running(run_dir, NAME):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        end = time.monotonic() + grace_s
        while time.monotonic() < end and running(run_dir, NAME):
            time.sleep(0.05)
    stop(run_dir, NAME)
    pointer = run_dir / HOME_POINTER
    with contextlib.suppress(OSError):
        home = Path(pointer.read_text(encoding="utf-8").strip())
        if home.name.startswith("todo-dapr-postgres-"):
            shutil.rmtree(home, ignore_errors=True)
        pointer.unlink()
