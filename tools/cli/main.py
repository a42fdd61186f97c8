"""Command-line interface: argument parsing and wiring only; the work lives in other modules.

Heavy imports (yaml, jsonschema, pyhelm3) happen inside the command functions so that
``python -m tools --help`` starts fast.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from tools import __version__
from tools.core.findings import EXIT_OK, EXIT_USAGE
from tools.core.terminal_text import visible, visible_lines

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from tools.validate import Report

FORMATS = ("text", "json", "sarif", "junit", "github")
DEFAULT_KUBE_VERSION = "1.34"
# Kept in step with tools.dapr.releases.SUPPORTED (not imported here: --help stays light).
SUPPORTED_DAPR = ("1.16", "1.17", "1.18")
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
        f"({', '.join(SUPPORTED_DAPR)}; default: the chart's appVersion, or a profile's "
        f"daprVersion, when rendering, else {SUPPORTED_DAPR[-1]})",
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
        from tools.redact import redact_text

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
    render.set_defaults(func=cmd_render)

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
    validate.set_defaults(func=cmd_validate)

    lint = sub.add_parser(
        "lint",
        help="helm lint --strict every profile, yamllint the chart's YAML",
        description="Run `helm lint --strict` on the chart with each profile's values, and "
        "yamllint on Chart.yaml, values.yaml and ci/*-values.yaml.",
    )
    lint.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
    lint.set_defaults(func=cmd_lint)

    publish = sub.add_parser(
        "publish",
        help="gate, package, push and verify the chart in an OCI registry",
        description="Lint, render and validate every profile; package the chart "
        "reproducibly; refuse a version the registry already has; push; pull back and "
        "compare digests.",
    )
    from tools.cli.publish_args import add_arguments as add_publish_arguments

    add_publish_arguments(publish)
    publish.set_defaults(func=cmd_publish)

    docs = sub.add_parser(
        "docs",
        help="write the chart README values table and docs/rules.md",
        description="Generate the chart README's values table from values.schema.json and "
        "docs/rules.md from the rule modules; --check fails when either is stale.",
    )
    docs.add_argument("--check", action="store_true", help="fail if the files are out of date")
    docs.add_argument("--chart", metavar="DIR", help="chart directory (default: from ct.yaml)")
    docs.set_defaults(func=cmd_docs)

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
    crd.set_defaults(func=cmd_import_crd)
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
    meta.set_defaults(func=cmd_import_metadata)
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
    values.set_defaults(func=cmd_schema_values)
    schemas.set_defaults(func=lambda args: _missing_action(schemas))
    return parser


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
    reg.set_defaults(func=cmd_import_registry)
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
    code.set_defaults(func=cmd_import_code_fields)
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
    rel.set_defaults(func=cmd_import_releases)


def _missing_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _color(args: argparse.Namespace) -> bool:
    """Text only; NO_COLOR wins over FORCE_COLOR, which wins over the terminal check."""
    if args.format != "text" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return not args.output and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _emit(report: Report, args: argparse.Namespace) -> None:
    from tools.core.output import write_report
    from tools.formatters import format_report

    text = format_report(args.format, report, color=_color(args))
    if args.quiet:
        text = _without_summary(text, report)
    write_report(text, args.output)


def _without_summary(text: str, report: Report) -> str:
    """-q prints findings only: the human formats end with a summary line, dropped here."""
    from tools.formatters._common import summary_line

    summary = summary_line(
        report.errors, report.warnings, report.suppressed, report.files, report.resources
    )
    if not text.endswith(f"{summary}\n"):
        return text
    findings = text[: -len(summary) - 1].rstrip("\n")
    return f"{findings}\n" if findings else ""


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Merge the config file under the flags; return the options the rules read."""
    from tools.cli import config
    from tools.kubernetes.schema_dirs import OPTION, index_schema_dir

    config.merge(args, config.resolve(args.config, args.no_config), DEFAULT_KUBE_VERSION)
    if args.verbose and args.schema_dir:
        _info(args, f"schema directories: {', '.join(map(visible, args.schema_dir))}")
    return {OPTION: tuple(index_schema_dir(d) for d in args.schema_dir)}


def _with_release(options: dict[str, Any], release: str) -> dict[str, Any]:
    from tools.dapr.releases import OPTION

    return {**options, OPTION: release}


def _info(args: argparse.Namespace, message: str) -> None:
    """Progress and summaries go to stderr, so machine formats on stdout stay parseable.
    Each part of ``message`` taken from input is escaped with ``visible`` by the caller (so
    no input starts a line); a line break in ``message`` is the caller's own."""
    if not args.quiet:
        print(visible_lines(message), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from tools.core.findings import exit_status
    from tools.validate import UsageError, parse_selectors, read_sources, validate

    if args.list_rules:
        return _list_rules()
    if not args.paths:
        raise UsageError("validate needs at least one PATH (a file, a directory, or - for stdin)")
    options = _settings(args)
    chosen = parse_selectors(args.select)
    ignored = parse_selectors(args.ignore)
    sources = read_sources(args.paths)
    if args.verbose:
        _info(
            args,
            f"validating {len(sources)} file(s) against Kubernetes {args.kube_version} and "
            f"Dapr {args.dapr_version or SUPPORTED_DAPR[-1]}",
        )
    release = args.dapr_version or SUPPORTED_DAPR[-1]
    report = validate(
        sources,
        kube_version=args.kube_version,
        chosen=chosen,
        ignored=ignored,
        options=_with_release(options, release),
        path_ignores=args.path_ignores,
    )
    _emit(report, args)
    return exit_status(report.findings)


def _list_rules() -> int:
    from tools.rules import all_rules
    from tools.validate import INPUT_RULE_SUMMARIES, INPUT_RULES

    for rule_id, category in sorted(INPUT_RULES.items()):
        summary = INPUT_RULE_SUMMARIES[rule_id]
        print(f"{rule_id:<36} {category:<10} error    {'all':<9} {summary} (input check)")
    for rule in all_rules():
        print(
            f"{rule.id:<36} {rule.category:<10} {rule.severity!s:<8} "
            f"{rule.releases_label():<9} {rule.summary}"
        )
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from tools.chart.helm import find_helm
    from tools.chart.profiles import profile_release, repo_root, resolve_chart, select_profiles
    from tools.chart.render import Rendered, render_profiles
    from tools.core.findings import exit_status
    from tools.core.output import write_file
    from tools.core.progress import Progress
    from tools.validate import Report, Source, parse_selectors, render_failure

    options = _settings(args)
    chosen = parse_selectors(args.select)
    ignored = parse_selectors(args.ignore)
    chart = resolve_chart(args.chart, repo_root())
    profiles = select_profiles(chart, args.profile, args.values)
    helm = find_helm(quiet=args.quiet)
    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from tools.validate import UsageError

        raise UsageError(f"{out_dir}: cannot create output directory ({exc.strerror})") from exc
    if args.verbose:
        _info(
            args,
            f"rendering {len(profiles)} profile(s) of {visible(str(chart))} with "
            f"{visible(str(helm))}",
        )

    counter = Progress("rendering", len(profiles), quiet=args.quiet or args.verbose)

    def progress(done: Rendered) -> None:
        counter.step(visible(done.profile.name))
        if args.verbose:
            state = "failed" if done.error else "rendered"
            _info(args, f"  {visible(done.profile.name)}: {state} in {done.seconds:.2f}s")

    results = render_profiles(
        helm,
        profiles,
        namespace=args.namespace,
        kube_version=args.kube_version,
        on_done=progress,
    )
    counter.close()
    total = Report()
    summaries: list[str] = []
    width = max(len(visible(p.name)) for p in profiles)
    for result in results:
        name = visible(result.profile.name)
        values_label = ", ".join(str(v) for v in result.profile.values_files) or str(chart)
        if result.error is not None:
            failure = render_failure(values_label, result.error)
            report = Report(findings=[failure], files=1)
            summaries.append(f"{name:<{width}}  helm template failed (see the finding above)")
        else:
            target = out_dir / f"{result.profile.name}.yaml"
            write_file(result.text or "", str(target), "--out")
            release = args.dapr_version or profile_release(result.profile)
            report = _check_rendered(
                Source(str(target), result.text or "", result.profile.name),
                args,
                (chosen, ignored),
                _with_release(options, release),
            )
            summaries.append(
                f"{name:<{width}}  Dapr {release}  {report.resources:>3} resources  "
                f"{report.errors:>2} errors  {report.warnings:>2} warnings  "
                f"{result.seconds:5.2f}s  -> {visible(str(target))}"
            )
        total.merge(report)
    _emit(total, args)
    if args.format == "text" and not args.quiet:
        print(visible_lines("\n".join(summaries)))
    else:
        _info(args, "\n".join(summaries))
    return exit_status(total.findings)


def _check_rendered(
    source: Any,
    args: argparse.Namespace,
    selection: tuple[set[str], set[str]],
    options: dict[str, Any],
) -> Report:
    """Validate one rendered profile against its Dapr release."""
    from tools.validate import Report, check, load_sources

    loaded, files = load_sources([source])
    findings = check(
        loaded,
        kube_version=args.kube_version,
        chosen=selection[0],
        ignored=selection[1],
        options=options,
        path_ignores=args.path_ignores,
    )
    return Report(findings=findings, files=files, resources=len(loaded.resources))


def cmd_lint(args: argparse.Namespace) -> int:
    from tools.chart.lint import lint_chart
    from tools.chart.profiles import repo_root, resolve_chart

    chart = resolve_chart(args.chart, repo_root())
    return lint_chart(chart)


def cmd_publish(args: argparse.Namespace) -> int:
    from tools.publish import flow as publish

    return publish.main(args)


def cmd_docs(args: argparse.Namespace) -> int:
    from tools import docs
    from tools.chart.profiles import repo_root, resolve_chart

    root = repo_root()
    chart = resolve_chart(args.chart, root)
    return docs.main(root=root, chart=chart, check=args.check)


def cmd_schema_values(args: argparse.Namespace) -> int:
    from tools.chart.profiles import repo_root, resolve_chart
    from tools.importers import chart_schema

    return chart_schema.main(resolve_chart(args.chart, repo_root()), check=args.check)


def _git_source(args: argparse.Namespace, given: bool, what: str) -> Any:
    """The GitRef of --git-dir/--ref, None without --git-dir; a usage error when mixed up."""
    from tools.importers.source import GitRef
    from tools.validate import UsageError

    if args.git_dir is None:
        if args.ref is not None:
            raise UsageError("--ref needs --git-dir")
        if not given:
            raise UsageError(f"give {what} or --git-dir DIR --ref REF")
        return None
    if given or not args.ref:
        raise UsageError(f"--git-dir takes --ref REF and no {what}")
    return GitRef(Path(args.git_dir), args.ref)


def cmd_import_crd(args: argparse.Namespace) -> int:
    from tools.importers.crds import import_crd_files, schemas_at_ref, write_schemas

    source = _git_source(args, bool(args.files), "FILE arguments")
    if source is not None:
        written = write_schemas(schemas_at_ref(source), Path(args.out))
    else:
        written = import_crd_files([Path(f) for f in args.files], Path(args.out))
    for path in written:
        print(visible(str(path)))
    print(
        f"wrote {len(written)} schema(s); validate against them with "
        f"TODO_DAPR_SCHEMA_DIR={visible(args.out)}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_import_metadata(args: argparse.Namespace) -> int:
    from tools.importers.metadata_yaml import import_metadata

    source = _git_source(args, bool(args.directory), "a DIR")
    directory = Path(args.directory or args.git_dir)
    report = import_metadata(directory, Path(args.out), ref=source)
    print(visible_lines(str(report)))
    return EXIT_OK


def cmd_import_registry(args: argparse.Namespace) -> int:
    from tools.cli.import_commands import run_import_registry

    return run_import_registry(
        directory=args.directory,
        git_dir=args.git_dir,
        ref=args.ref,
        out=args.out,
        check=args.check,
    )


def cmd_import_code_fields(args: argparse.Namespace) -> int:
    from tools.cli.import_commands import run_import_code_fields

    return run_import_code_fields(
        directory=args.directory,
        git_dir=args.git_dir,
        ref=args.ref,
        registry=args.registry,
        out=args.out,
        check=args.check,
    )


def cmd_import_releases(args: argparse.Namespace) -> int:
    from tools.importers.release_diff import run_import_releases

    return run_import_releases(
        dapr_git=args.dapr_git_dir,
        contrib_git=args.contrib_git_dir,
        out=args.out,
        check=args.check,
        latest=args.latest,
    )


class _ClosedPipeSafe(io.RawIOBase):
    """Standard output or error on a descriptor whose reader may go away (``| head``).

    The first write that finds the pipe closed points the descriptor at /dev/null: the rest of
    the run, and the interpreter's final flush, write nowhere without an error, and the command
    ends quietly with the status it would have had. Each write is written whole, so an
    unbuffered stream (``python -u``) loses nothing to a short write either.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data).cast("B")
        size = view.nbytes
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except BrokenPipeError:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._fd)
            os.close(null)
        return size


def _pipe_safe_streams() -> dict[str, io.TextIOWrapper]:
    """Put pipe-safe copies of the interpreter's own stdout and stderr in place (never a stream
    someone else installed, such as a test's capture); return the originals by name."""
    originals: dict[str, io.TextIOWrapper] = {}
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not getattr(sys, f"__{name}__") or not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            fd = stream.fileno()
            stream.flush()
        except (OSError, ValueError):
            continue
        raw = _ClosedPipeSafe(fd)
        unbuffered = isinstance(stream.buffer, io.RawIOBase)
        layer: Any = raw if unbuffered else io.BufferedWriter(raw)
        safe = io.TextIOWrapper(
            layer,
            encoding=stream.encoding,
            errors=stream.errors,
            line_buffering=stream.line_buffering,
            write_through=unbuffered or stream.write_through,
        )
        originals[name] = stream
        setattr(sys, name, safe)
    return originals


def _restore_streams(originals: dict[str, io.TextIOWrapper]) -> OSError | None:
    """Flush the pipe-safe streams and put the originals back; the first flush error, if any
    (a full disk under ``> file``: a closed pipe never is one)."""
    failure: OSError | None = None
    for name, original in originals.items():
        try:
            getattr(sys, name).flush()
        except OSError as exc:
            failure = failure or exc
        setattr(sys, name, original)
    return failure


def _closed_streams_to_null() -> list[str]:
    """A standard stream closed before the start (``>&-``) is None in ``sys``: it becomes a
    stream to /dev/null, so the command runs, writes nothing there, and keeps its status. Its
    descriptor is pointed at /dev/null too, so no file opened later takes its number. Return
    the names of the streams replaced."""
    replaced: list[str] = []
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
            if null != fd:
                os.dup2(null, fd, inheritable=False)
                os.close(null)
        setattr(sys, name, Path(os.devnull).open("w", encoding="utf-8"))  # noqa: SIM115
        replaced.append(name)
    return replaced


def main(argv: Sequence[str] | None = None) -> int:
    closed = _closed_streams_to_null()
    try:
        return _pipe_safe_main(argv)
    finally:
        for name in closed:
            getattr(sys, name).close()
            setattr(sys, name, None)


def _pipe_safe_main(argv: Sequence[str] | None) -> int:
    originals = _pipe_safe_streams()
    try:
        status = _main(argv)
    finally:
        failure = _restore_streams(originals)
    if failure is not None:
        print(f"todo-dapr: error: cannot write the output ({failure.strerror})", file=sys.stderr)
        return EXIT_USAGE
    return status


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = args.func(args)
    except KeyboardInterrupt:
        print("todo-dapr: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from tools.redact import redact_text

        print(f"todo-dapr: error: {visible(redact_text(_explain(exc)))}", file=sys.stderr)
        if os.environ.get("TODO_DAPR_DEBUG"):
            raise
        return EXIT_USAGE
    return status


def _explain(exc: Exception) -> str:
    """Expected failures carry their own message; anything else is named as an internal error.
    The caller redacts and escapes it."""
    from tools.chart.helm import HelmError

    if getattr(exc, "exit_status", None) is not None or isinstance(exc, HelmError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return (
        f"internal error ({type(exc).__name__}: {exc}); set TODO_DAPR_DEBUG=1 to see the "
        "traceback, and please report it"
    )
