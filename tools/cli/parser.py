"""The command line's parser: every command, option and help text.

A command's function is named by ``module:function`` and imported only when the command runs,
so ``python -m tools --help`` loads none of the modules behind the commands.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable
from typing import NoReturn

from tools import __version__
from tools.core.defaults import (
    DAPR_MODES,
    DEFAULT_DAPR_MODE,
    DEFAULT_KUBE_VERSION,
    DEFAULT_POD_SECURITY_ENFORCE,
    DEFAULT_POD_SECURITY_WARN,
    POD_SECURITY_LEVELS,
)
from tools.core.findings import EXIT_USAGE
from tools.core.terminal_text import visible
from tools.dapr.supported import NEWEST, SUPPORTED

Command = Callable[[argparse.Namespace], int]


def _lazy(target: str) -> Command:
    """The command function at ``module:function``, imported when it is called."""

    def run(args: argparse.Namespace) -> int:
        module, _, name = target.partition(":")
        function: Command = getattr(importlib.import_module(module), name)
        return function(args)

    return run


_IMPORT = _lazy("tools.cli.schemas:cmd_import")

FORMATS = ("text", "json", "sarif", "junit", "github")
CONFIG_NAMES = ".todo-dapr.yaml or [tool.todo-dapr] in pyproject.toml"

DESCRIPTION = """\
Render the todo-dapr Helm chart's profiles, validate the output (Kubernetes and strict Dapr
schemas, Dapr component metadata, security policy, cross-references) and publish the chart.

exit status: 0 no error findings (warnings allowed); 1 at least one error finding;
             2 usage or environment problem (bad flag, unreadable path, helm unavailable)
"""

CATEGORY_HELP = (
    "categories: syntax (unparsable YAML), schema (Kubernetes and Dapr CRD schemas), "
    "dapr (component types and metadata), security (inline secrets, scopes, network), "
    "reference (one resource naming another)"
)


def _kube_version(value: str) -> str:
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{value!r} is not a Kubernetes version like 1.34")
    from tools.kubernetes.schemas import KubeVersionError, resolve_kube_version

    version = f"{match.group(1)}.{match.group(2)}"
    try:
        resolve_kube_version(version)
    except KubeVersionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return version


def _dapr_version(value: str) -> str:
    from tools.dapr.releases import ReleaseError, parse_release

    try:
        return parse_release(value)
    except ReleaseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: text; sarif for GitHub code scanning, "
        "junit for CI test tabs, github for workflow annotations)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of stdout, atomically (a temporary file "
        "renamed over FILE); an existing FILE that is not a regular file (a symlink, FIFO or "
        "device) is refused, never replaced, except /dev/stdout, /dev/stderr and /dev/null, "
        "which are written to as streams",
    )
    parser.add_argument(
        "--select",
        action="append",
        metavar="CATS/IDS",
        help="only these categories or rule ids (comma-separated, repeatable)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        metavar="CATS/IDS",
        help="skip these categories or rule ids (comma-separated, repeatable)",
    )
    parser.add_argument(
        "--kube-version",
        type=_kube_version,
        metavar="X.Y",
        help="Kubernetes version to render for and validate built-in kinds against "
        f"(default {DEFAULT_KUBE_VERSION})",
    )
    parser.add_argument(
        "--dapr-version",
        type=_dapr_version,
        metavar="X.Y",
        help="Dapr release to judge against: its CRD schemas, component registry and metadata "
        f"({', '.join(SUPPORTED)}; default: the chart's appVersion, or a profile's "
        f"daprVersion, when rendering, else {NEWEST})",
    )
    pod_security = (
        ("enforce", DEFAULT_POD_SECURITY_ENFORCE, "enforces", "refuses, as errors"),
        ("warn", DEFAULT_POD_SECURITY_WARN, "warns at", "warns of, as warnings"),
    )
    for label, default, verb, outcome in pod_security:
        parser.add_argument(
            f"--pod-security-{label}",
            choices=POD_SECURITY_LEVELS,
            metavar="LEVEL",
            help=f"Pod Security level a namespace {verb} when the input has no Namespace "
            f"carrying the pod-security.kubernetes.io/{label} label: "
            f"{'/'.join(POD_SECURITY_LEVELS)} (default {default}); the security-pss-* rules "
            f"report what it {outcome}",
        )
    parser.add_argument(
        "--dapr-mode",
        choices=DAPR_MODES,
        metavar="MODE",
        help=f"where daprd runs: {'/'.join(DAPR_MODES)} (default {DEFAULT_DAPR_MODE}); "
        "self-hosted judges the files as a `dapr run --resources-path` folder: no operator, "
        "no built-in 'kubernetes' secret store, and the Kubernetes-only rules do not run",
    )
    parser.add_argument(
        "--dapr-sidecar-drop-all",
        action="store_true",
        default=None,
        help="the cluster's Dapr control plane is installed with "
        "dapr_sidecar_injector.sidecarDropALLCapabilities=true, so the injected daprd container "
        "drops every capability (off by default in Dapr; no manifest shows it)",
    )
    parser.add_argument(
        "--schema-dir",
        action="append",
        metavar="DIR",
        help="JSON Schemas for other custom resources, in the CRDs-catalog "
        "(<group>/<kind>_<version>.json) or kubeconform (<kind>-<group>-<version>.json) "
        "layout (repeatable; searched in order)",
    )
    config = parser.add_mutually_exclusive_group()
    config.add_argument(
        "--config",
        metavar="FILE",
        help=f"config file to use (default: the nearest {CONFIG_NAMES} at or above the "
        "working directory); flags override it",
    )
    config.add_argument("--no-config", action="store_true", help="ignore any config file")
    parser.add_argument("-q", "--quiet", action="store_true", help="print findings only")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also say what is being done, step by step"
    )


class _Parser(argparse.ArgumentParser):
    """argparse quotes a bad argument in its error; the argument is input, so it is redacted
    (oci://user:password@host) and escaped. Sub-command parsers are of the same class."""

    def error(self, message: str) -> NoReturn:
        from tools.redaction.masking import redact_text

        super().error(visible(redact_text(message)))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="todo-dapr",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = sub.add_parser(
        "render",
        help="render profiles with helm and validate the output",
        description="Render the chart with each profile (ci/<name>-values.yaml; all of them "
        "when no --profile or -f is given), write build/rendered/<profile>.yaml and validate "
        "each rendered stream. -f renders your own values file(s) on top of the chart "
        "defaults, as `helm -f` would. " + CATEGORY_HELP,
    )
    render.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
    render.add_argument(
        "--profile", action="append", metavar="NAME", help="profile to render (repeatable)"
    )
    render.add_argument(
        "-f",
        "--values",
        action="append",
        metavar="FILE",
        help="values file(s) to render instead of the profiles (repeatable, merged in order)",
    )
    render.add_argument(
        "--out", metavar="DIR", default="build/rendered", help="where to write rendered YAML"
    )
    render.add_argument(
        "--namespace", default="todo", help="release namespace to render into (default todo)"
    )
    _add_output_options(render)
    render.set_defaults(func=_lazy("tools.cli.render:cmd_render"))

    validate = sub.add_parser(
        "validate",
        help="validate Kubernetes/Dapr YAML files, directories or stdin",
        description="Validate YAML manifests: files, directories (all *.yaml/*.yml inside) or "
        "- for stdin. " + CATEGORY_HELP + ". Suppress a finding on one resource with the "
        'annotation todo-dapr.io/ignore: "<rule-or-category>=<reason>", or files with '
        "per-path-ignores in the config file; either is then reported as suppressed.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help="file, directory or -")
    validate.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    _add_output_options(validate)
    validate.set_defaults(func=_lazy("tools.cli.validate:cmd_validate"))

    lint = sub.add_parser(
        "lint",
        help="helm lint --strict every profile, yamllint the chart's YAML",
        description="Run `helm lint --strict` on the chart with each profile's values, and "
        "yamllint on Chart.yaml, values.yaml and ci/*-values.yaml.",
    )
    lint.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
    lint.set_defaults(func=_lazy("tools.cli.chart:cmd_lint"))

    publish = sub.add_parser(
        "publish",
        help="gate, package, push and verify the chart in an OCI registry",
        description="Lint, render and validate every profile; package the chart "
        "reproducibly; refuse a version the registry already has; push; pull back and "
        "compare digests.",
    )
    from tools.cli.publish_args import add_arguments as add_publish_arguments

    add_publish_arguments(publish)
    publish.set_defaults(func=_lazy("tools.cli.publish:main"))

    docs = sub.add_parser(
        "docs",
        help="write the chart README values table and docs/rules.md",
        description="Generate the chart README's values table from values.schema.json and "
        "docs/rules.md from the rule modules; --check fails when either is stale.",
    )
    docs.add_argument("--check", action="store_true", help="fail if the files are out of date")
    docs.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
    docs.set_defaults(func=_lazy("tools.cli.chart:cmd_docs"))

    schemas = sub.add_parser(
        "schemas",
        help="import Dapr CRDs or component metadata into validation schemas",
        description="Build the schemas the validator uses from upstream Dapr files, so that "
        "validation can be pinned to the Dapr version a cluster runs.",
    )
    schemas_sub = schemas.add_subparsers(dest="schemas_command", metavar="ACTION")
    crd = schemas_sub.add_parser(
        "import-crd",
        help="turn Dapr CRD YAML files into strict JSON Schemas",
        description="Turn CRD YAML files (e.g. charts/dapr/crds/*.yaml of a Dapr release) into "
        "strict JSON Schemas (unknown fields refused). Point TODO_DAPR_SCHEMA_DIR at the "
        "output directory to validate against them.",
    )
    crd.add_argument("files", nargs="*", metavar="FILE")
    crd.add_argument(
        "--git-dir", metavar="DIR", help="read charts/dapr/crds of a dapr/dapr git repository"
    )
    crd.add_argument(
        "--ref", metavar="REF", help="the git ref to read with --git-dir (e.g. v1.16.19)"
    )
    crd.add_argument("--out", metavar="DIR", default="build/schemas/dapr")
    crd.set_defaults(func=_IMPORT)
    meta = schemas_sub.add_parser(
        "import-metadata",
        help="build the component catalog from components-contrib metadata.yaml files",
        description="Read every metadata.yaml under a components-contrib checkout and write "
        "the component catalog (types, versions, fields; facts only).",
    )
    meta.add_argument("directory", nargs="?", metavar="DIR")
    meta.add_argument("--git-dir", metavar="DIR", help="read a components-contrib git repository")
    meta.add_argument(
        "--ref", metavar="REF", help="the git ref to read with --git-dir (e.g. v1.16.13)"
    )
    meta.add_argument("--out", metavar="DIR", default="build/schemas/dapr-components")
    meta.set_defaults(func=_IMPORT)
    _add_import_parsers(schemas_sub)
    values = schemas_sub.add_parser(
        "values",
        help="regenerate the catalog-derived definitions in the chart's values.schema.json",
        description="Rewrite the generated $defs of the chart's values.schema.json (extra "
        "metadata names and value formats per component, the state store timeout, the cron "
        "schedule) from the component catalog, leaving the hand-written parts alone; --check "
        "fails when they are stale.",
    )
    values.add_argument("--check", action="store_true", help="fail if they are out of date")
    values.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
    values.set_defaults(func=_lazy("tools.cli.schemas:cmd_schema_values"))
    schemas.set_defaults(func=lambda args: _missing_action(schemas))
    _add_cluster_parser(sub)
    return parser


def _add_cluster_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    cluster = sub.add_parser(
        "cluster",
        help="start or stop a real local stack: API server, Kafka, PostgreSQL",
        description="A real stack on 127.0.0.1, built once from the Go module proxy, Maven "
        "Central and Debian's packages and cached (~/.cache/todo-dapr/cluster, or "
        "$TODO_DAPR_CLUSTER_CACHE): etcd and kube-apiserver with Dapr's CRDs and a `todo` "
        "namespace (Pod Security restricted), Kafka in KRaft mode and PostgreSQL. `up` writes "
        "<dir>/env with KUBECONFIG and the Kafka and PostgreSQL addresses as shell KEY=value "
        "lines (`set -a; . build/cluster/env; set +a`); `down` stops every process by PID and "
        "removes <dir>. The first `up` builds etcd and kube-apiserver with Go: several minutes.",
    )
    cluster.add_argument(
        "action",
        choices=("up", "down", "status", "build"),
        help="up: start (or reuse) the stack; down: stop it; status: say what runs; "
        "build: build and cache every program (daprd too) without starting anything",
    )
    cluster.add_argument(
        "--dir", metavar="DIR", default="build/cluster", help="run directory (default: %(default)s)"
    )
    cluster.add_argument(
        "--dapr-version",
        metavar="1.16|1.17|1.18",
        type=_dapr_version,
        default="1.18",
        help="the Dapr release whose CRDs the API server gets (and daprd is built for)",
    )
    cluster.set_defaults(func=_lazy("tools.cli.cluster:cmd_cluster"))


def _add_import_parsers(schemas_sub: argparse._SubParsersAction[_Parser]) -> None:
    """The generated-data importers of `schemas`: daprd registry, contrib code facts."""
    reg = schemas_sub.add_parser(
        "import-registry",
        help="import the component registry daprd is built with from dapr/dapr",
        description="Read cmd/daprd/components of a dapr/dapr checkout (or of a git ref with "
        "--git-dir) and write registry.json: every registered type, alias and version, its "
        "build tags and the components-contrib package it comes from. --check compares the "
        "committed file with a fresh import; with no source given it checks only the file's "
        "shape and says so.",
    )
    reg.add_argument("directory", nargs="?", metavar="DIR", help="a dapr/dapr checkout")
    reg.add_argument("--git-dir", metavar="DIR", help="read a git repository instead")
    reg.add_argument(
        "--ref", metavar="REF", help="git ref to read (default: the ref recorded in the file)"
    )
    reg.add_argument(
        "--out",
        metavar="FILE",
        help="where to write (default: the project's schemas/dapr-components/registry.json)",
    )
    reg.add_argument("--check", action="store_true", help="fail if the file is out of date")
    reg.set_defaults(func=_IMPORT)
    code = schemas_sub.add_parser(
        "import-code-fields",
        help="import the metadata names and Go types components-contrib code decodes",
        description="For every components-contrib package registry.json names, read the Go "
        "structs the component decodes its metadata into (mapstructure tags, "
        "mapstructurealiases, Go types, deprecations) and write code_fields.json. --check "
        "compares with a fresh import; with no source given it checks only the shape.",
    )
    code.add_argument("directory", nargs="?", metavar="DIR", help="a components-contrib checkout")
    code.add_argument("--git-dir", metavar="DIR", help="read a git repository instead")
    code.add_argument("--ref", metavar="REF", help="git ref (default: the one in the file)")
    code.add_argument("--registry", metavar="FILE", help="registry.json naming the packages")
    code.add_argument("--out", metavar="FILE", help="where to write (default: the project's)")
    code.add_argument("--check", action="store_true", help="fail if the file is out of date")
    code.set_defaults(func=_IMPORT)
    reads = schemas_sub.add_parser(
        "import-metadata-reads",
        help="import how each component's Go code looks metadata up and what its Init refuses",
        description="For every components-contrib package registry.json names, follow the "
        "component's Init through its Go code and write metadata_reads.json: names looked up "
        "outside the decoder (GetMetadataProperty alias lists, exact map keys, key prefixes) "
        "and the values Init refuses when missing or empty (one of several, for either/or "
        "checks). --check compares with a fresh import; with no source given it checks only "
        "the shape.",
    )
    reads.add_argument("directory", nargs="?", metavar="DIR", help="a components-contrib checkout")
    reads.add_argument("--git-dir", metavar="DIR", help="read a git repository instead")
    reads.add_argument("--ref", metavar="REF", help="git ref (default: the one in the file)")
    reads.add_argument("--registry", metavar="FILE", help="registry.json naming the packages")
    reads.add_argument("--out", metavar="FILE", help="where to write (default: the project's)")
    reads.add_argument("--check", action="store_true", help="fail if the file is out of date")
    reads.set_defaults(func=_IMPORT)
    rel = schemas_sub.add_parser(
        "import-releases",
        help="record what differs between the supported Dapr releases",
        description="For each supported Dapr release, read the newest patch tag of dapr/dapr "
        "(component registry, CRDs) and the components-contrib tag its go.mod pins (metadata "
        "files, decoded Go structs), and write schemas/releases.json: every component type, "
        "metadata name and CRD field that is not the same in all of them, with since/until. "
        "--check compares with a fresh import of the recorded tags; without git directories "
        "it checks only the file's shape and says so.",
    )
    rel.add_argument("--dapr-git-dir", metavar="DIR", help="a dapr/dapr git repository")
    rel.add_argument("--contrib-git-dir", metavar="DIR", help="a components-contrib repository")
    rel.add_argument("--out", metavar="FILE", help="where to write (default: the project's)")
    rel.add_argument("--check", action="store_true", help="fail if the file is out of date")
    rel.add_argument(
        "--latest", action="store_true", help="use the newest patch tags, not the recorded ones"
    )
    rel.set_defaults(func=_IMPORT)


def _missing_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE
