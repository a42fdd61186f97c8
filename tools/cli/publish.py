"""``python -m tools publish``: flags to options, the publish run, its report and exit status.

Exit status: 0 published (or a clean dry run), 1 refused or failed, 2 usage or environment.
The deadline runs from the moment ``--timeout`` is known, so reading the password is under it
too. Whatever goes wrong leaves as one scrubbed line (and the JSON object with ``--format
json``); an unexpected exception is named by its type only, never its text.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tools.core.findings import EXIT_OK, EXIT_USAGE
from tools.publish.auth import Credentials
from tools.publish.bounds import DEFAULT_TIMEOUT, MAX_TIMEOUT, Retry
from tools.publish.credentials import from_environment, read_password
from tools.publish.errors import EXIT_REFUSED, PublishError, PublishUsageError, translated
from tools.publish.gate import Gate, run_gate
from tools.publish.model import Options, Outcome, Signing
from tools.publish.pipeline import backstop, publish
from tools.publish.scrub import Scrubber
from tools.publish.target import RegistryRef, is_loopback


def read_credentials(args: argparse.Namespace, stdin: Any = None) -> Credentials | None:
    """Flags first (password only from stdin), then the CI environment variables, else None."""
    if args.password_stdin and not args.username:
        raise PublishUsageError("--password-stdin needs --username")
    if args.username:
        if not args.password_stdin:
            raise PublishUsageError(
                "--username needs --password-stdin: the password is read from standard input, "
                'never from a flag (e.g. `printf %s "$TOKEN" | python -m tools publish ... '
                "--username U --password-stdin`)"
            )
        secret = read_password(stdin if stdin is not None else sys.stdin).rstrip("\r\n")
        if not secret:
            raise PublishUsageError("--password-stdin: standard input was empty")
        return Credentials(args.username, secret)
    return from_environment()


def _signing(args: argparse.Namespace) -> Signing | None:
    if not args.sign:
        if args.key or args.keyring:
            raise PublishUsageError("--key and --keyring are used with --sign")
        return None
    if not args.key or not args.keyring:
        raise PublishUsageError("--sign needs --key NAME and --keyring FILE (a legacy keyring)")
    keyring = Path(args.keyring)
    if not keyring.is_file():
        raise PublishUsageError(f"--keyring {args.keyring}: no such file")
    return Signing(args.key, keyring)


def _plain_http(args: argparse.Namespace, registry: RegistryRef) -> bool:
    insecure = bool(getattr(args, "insecure_plain_http", False))
    if args.plain_http and not insecure and not is_loopback(registry.host):
        raise PublishUsageError(
            f"--plain-http is for a registry on this machine (127.0.0.0/8, ::1, localhost); "
            f"{registry.host} is not one. Use https, or --insecure-plain-http if you accept "
            "that the credentials and the chart cross the network in clear text"
        )
    return bool(args.plain_http) or insecure


def _timeout(args: argparse.Namespace) -> float:
    timeout = float(getattr(args, "timeout", DEFAULT_TIMEOUT))
    if not 0 < timeout <= MAX_TIMEOUT:
        raise PublishUsageError(
            f"--timeout takes a number of seconds above 0 and at most {MAX_TIMEOUT:g} "
            "(e.g. --timeout 600)"
        )
    return timeout


def options_from_args(args: argparse.Namespace, stdin: Any = None) -> Options:
    from tools.chart.profiles import ProfileError, repo_root, resolve_chart

    registry = RegistryRef.parse(args.registry)
    plain_http = _plain_http(args, registry)
    timeout = _timeout(args)
    signing = _signing(args)
    credentials = read_credentials(args, stdin)
    with translated(usage=(ProfileError,)):
        chart = resolve_chart(args.chart, repo_root())
    return Options(
        chart=chart,
        registry=registry,
        plain_http=plain_http,
        credentials=credentials,
        signing=signing,
        dry_run=args.dry_run,
        timeout=timeout,
    )


def report(outcome: Outcome, fmt: str, scrub: Scrubber) -> None:
    if fmt == "json":
        print(json.dumps(outcome.as_json(), indent=2))
    elif outcome.status == "dry-run":
        for note in outcome.notes:
            print(scrub.line(f"dry run: {note}"))
    else:
        print(scrub.line(f"published {outcome.reference}"))


def fail(message: str, fmt: str, status: int, scrub: Scrubber, lines: Iterable[str] = ()) -> int:
    """The one error exit: every line goes through ``scrub`` first."""
    for line in lines:
        print(scrub.line(line), file=sys.stderr)
    clean = scrub.line(message)
    print(f"todo-dapr publish: error: {clean}", file=sys.stderr)
    if fmt == "json":
        print(json.dumps({"status": "error", "error": clean, "exit_status": status}))
    return status


def main(args: argparse.Namespace, *, gate: Gate = run_gate, retry: Retry | None = None) -> int:
    """Entry point from ``tools.cli.main``: the exit status of the publish."""
    from tools.chart.helm import HelmError

    fmt = getattr(args, "format", "text")
    scrub = Scrubber()
    try:
        with backstop(_timeout(args)):
            return _main(args, gate, retry, fmt, scrub)
    except (PublishUsageError, HelmError) as exc:
        return fail(str(exc), fmt, EXIT_USAGE, scrub)
    except PublishError as exc:
        return fail(str(exc), fmt, EXIT_REFUSED, scrub, exc.details)
    except OSError as exc:
        return fail(f"{exc.filename or ''}: {exc.strerror or exc}", fmt, EXIT_USAGE, scrub)
    except Exception as exc:
        if os.environ.get("TODO_DAPR_DEBUG"):
            raise
        return fail(
            f"internal error ({type(exc).__name__}); set TODO_DAPR_DEBUG=1 to see the "
            "traceback, and please report it",
            fmt,
            EXIT_USAGE,
            scrub,
        )


def _main(
    args: argparse.Namespace, gate: Gate, retry: Retry | None, fmt: str, scrub: Scrubber
) -> int:
    from tools.chart.helm import find_helm

    options = options_from_args(args)
    scrub.add(options.credentials)
    helm = find_helm(quiet=fmt == "json")

    def log(message: str) -> None:
        print(scrub.line(message), file=sys.stderr)

    outcome = publish(options, helm=helm, gate=gate, retry=retry, log=log, scrub=scrub)
    report(outcome, fmt, scrub)
    return EXIT_OK
