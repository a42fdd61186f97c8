"""The publish command's flags, kept apart from the publishing code so `--help` starts fast."""

from __future__ import annotations

import argparse

from tools.publish.bounds import DEFAULT_TIMEOUT, MAX_TIMEOUT


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds above 0 and at most {MAX_TIMEOUT:g} (a day)"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--registry",
        required=True,
        metavar="oci://HOST[:PORT]/PATH",
        help="where to publish; the chart lands at PATH/<chart name>:<version> "
        "(OCIR: oci://<region-key>.ocir.io/<tenancy-namespace>/charts)",
    )
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="talk HTTP, not HTTPS, to a registry on this machine (127.0.0.0/8, ::1, localhost)",
    )
    parser.add_argument(
        "--insecure-plain-http",
        action="store_true",
        help="talk HTTP to any host: the credentials, the token and the chart cross the network "
        "in clear text, and anyone on the path can read them or swap the chart",
    )
    parser.add_argument("--username", metavar="U", help="registry user (OCIR: <namespace>/<user>)")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password or token from standard input (needs --username)",
    )
    parser.add_argument(
        "--sign", action="store_true", help="sign the package; push its provenance layer"
    )
    parser.add_argument("--key", metavar="K", help="name of the signing key (with --sign)")
    parser.add_argument(
        "--keyring", metavar="F", help="legacy secret keyring holding the key (with --sign)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="gate, package and check the registry, then say what would be pushed",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output: text, or one JSON object for CI (default text)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="give up after this long in all: registry requests, retries, helm and the gate "
        f"(default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
