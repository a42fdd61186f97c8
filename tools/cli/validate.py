"""``python -m tools validate``: validate files, directories or stdin and print the report."""

from __future__ import annotations

import argparse

from tools.cli.output import emit, info
from tools.cli.settings import settings
from tools.core.findings import EXIT_OK, exit_status
from tools.dapr.supported import NEWEST
from tools.validate import UsageError, parse_selectors, read_sources, validate


def cmd_validate(args: argparse.Namespace) -> int:
    if args.list_rules:
        return _list_rules()
    if not args.paths:
        raise UsageError("validate needs at least one PATH (a file, a directory, or - for stdin)")
    context = settings(args)
    chosen = parse_selectors(args.select)
    ignored = parse_selectors(args.ignore)
    sources = read_sources(args.paths)
    if args.verbose:
        info(
            args,
            f"validating {len(sources)} file(s) against Kubernetes {args.kube_version} and "
            f"Dapr {context.dapr_release or NEWEST}",
        )
    report = validate(sources, context=context, chosen=chosen, ignored=ignored)
    emit(report, args)
    return exit_status(report.findings)


def _list_rules() -> int:
    from tools.core.input_rules import INPUT_FINDINGS
    from tools.rules import all_rules

    for finding in sorted(INPUT_FINDINGS, key=lambda f: f.id):
        print(
            f"{finding.id:<36} {finding.category:<10} {finding.severity:<8} "
            f"{'all':<9} {'both':<11} "
            f"{finding.summary} "
            "(input check)"
        )
    for rule in all_rules():
        formerly = f" (formerly {', '.join(rule.aliases)})" if rule.aliases else ""
        when = f" [severity: {rule.severity_text}]" if rule.severity_note else ""
        print(
            f"{rule.id:<36} {rule.category:<10} {rule.severity!s:<8} "
            f"{rule.releases_label():<9} {rule.modes_label():<11} {rule.summary}{formerly}{when}"
        )
    return EXIT_OK
