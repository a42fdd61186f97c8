"""`nox -s peers`: todo-dapr's security rules side by side with checkov's Kubernetes checks.

checkov (`--framework kubernetes -o json --quiet`) runs over tests/fixtures/security/hostile and
hardened, and todo-dapr validates each file. The output is Markdown: which todo-dapr rule covers
each checkov check, per hostile case what each tool reported, the hardened files, and the time
both take on one 5,000-document stream made of those files' documents.

The exit status is 1 when a checkov failure on a hostile case has no matching todo-dapr finding
in that file (unless the check is listed below as not applicable, with the reason), when a
checkov check is in neither list, or when checkov flags a hardened file where todo-dapr agrees.

checkov's time grows faster than linearly with the stream (checkov 3.3 on this machine: 6 s at
500 documents, 21 s at 1,000, over 30 minutes and 7 GB of memory at 5,000), so the timing runs
count/10, count/5 and count documents, stops a checkov run after --budget seconds and reports
that as a lower bound.

The mapping was written from checkov 3.x's checks (checkov/kubernetes/checks/resource/k8s/*.py
and graph_checks/*.json): what each check id actually tests is in the note beside it.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.__main__ import OUT, ROOT, _median, _wall

FIXTURES = ROOT / "tests" / "fixtures" / "security"
HOSTILE = FIXTURES / "hostile"
HARDENED = FIXTURES / "hardened"


@dataclass(frozen=True)
class Covered:
    """A checkov check and the todo-dapr rules that report what it tests (any one suffices)."""

    name: str
    rules: tuple[str, ...]
    note: str = ""


_RUN_AS = ("security-pss-run-as-non-root", "security-pss-run-as-user")

COVERED: dict[str, Covered] = {
    "CKV_K8S_10": Covered(
        "CPU requests should be set",
        ("security-container-resources",),
        "checkov also fails a CPU limit without a request, which the API server copies into it",
    ),
    "CKV_K8S_12": Covered(
        "Memory requests should be set",
        ("security-container-resources",),
        "a memory limit alone also sets the request (the API server copies it)",
    ),
    "CKV_K8S_13": Covered("Memory limits should be set", ("security-container-resources",)),
    "CKV_K8S_14": Covered(
        "Image tag should be fixed, not latest or blank", ("security-image-tag",)
    ),
    "CKV_K8S_15": Covered(
        "Image pull policy should be Always",
        ("security-image-digest", "security-image-tag"),
        "fails only for a tag without a digest and no Always: the digest is the fix",
    ),
    "CKV_K8S_16": Covered("Container should not be privileged", ("security-pss-privileged",)),
    "CKV_K8S_17": Covered("hostPID", ("security-pss-host-namespaces",)),
    "CKV_K8S_18": Covered("hostIPC", ("security-pss-host-namespaces",)),
    "CKV_K8S_19": Covered("hostNetwork", ("security-pss-host-namespaces",)),
    "CKV_K8S_20": Covered(
        "allowPrivilegeEscalation not false",
        ("security-pss-privilege-escalation",),
        "unset fails too, as in PSS restricted",
    ),
    "CKV_K8S_23": Covered("Minimize the admission of root containers", _RUN_AS),
    "CKV_K8S_25": Covered(
        "Added capabilities",
        ("security-pss-capabilities-baseline", "security-pss-capabilities-restricted"),
        "any add fails; restricted allows adding NET_BIND_SERVICE only",
    ),
    "CKV_K8S_26": Covered("hostPort", ("security-pss-host-ports",)),
    "CKV_K8S_27": Covered(
        "Docker daemon socket (hostPath /var/run/docker.sock)",
        ("security-pss-host-path-volumes", "security-pss-restricted-volumes"),
        "todo-dapr reports every hostPath volume",
    ),
    "CKV_K8S_28": Covered(
        "Drop NET_RAW (or ALL)", ("security-pss-capabilities-restricted",), "restricted: drop ALL"
    ),
    "CKV_K8S_29": Covered(
        "Pod securityContext present",
        ("security-pss-run-as-non-root", "security-pss-seccomp-restricted"),
        "without one, restricted's runAsNonRoot and seccomp must be set per container",
    ),
    "CKV_K8S_30": Covered(
        "Container securityContext present",
        ("security-pss-privilege-escalation", "security-pss-capabilities-restricted"),
        "restricted needs allowPrivilegeEscalation false and drop ALL per container",
    ),
    "CKV_K8S_31": Covered(
        "Seccomp RuntimeDefault",
        ("security-pss-seccomp-restricted", "security-pss-seccomp-baseline"),
        "PSS also accepts Localhost; checkov only RuntimeDefault",
    ),
    "CKV_K8S_37": Covered("Drop ALL capabilities", ("security-pss-capabilities-restricted",)),
    "CKV_K8S_38": Covered(
        "automountServiceAccountToken not false on the pod",
        ("security-token-automount",),
        "checkov ignores the ServiceAccount's own setting",
    ),
    "CKV_K8S_39": Covered("CAP_SYS_ADMIN added", ("security-pss-capabilities-baseline",)),
    "CKV_K8S_40": Covered(
        "runAsUser >= 10000",
        _RUN_AS,
        "todo-dapr reports UID 0 and root by default; 1-9999 is accepted, as Kubernetes does",
    ),
    "CKV_K8S_41": Covered(
        "ServiceAccount 'default' automounts its token", ("security-token-automount",)
    ),
    "CKV_K8S_42": Covered(
        "Binding to the 'default' ServiceAccount", ("security-rbac-default-subject",)
    ),
    "CKV_K8S_43": Covered(
        "Image should use a digest",
        ("security-image-digest", "security-image-tag"),
        "a :latest or untagged image is reported once, as a moving tag",
    ),
    "CKV_K8S_49": Covered("Wildcard in the first rule of a Role", ("security-rbac-wildcard",)),
    "CKV_K8S_157": Covered("bind on (cluster)rolebindings", ("security-rbac-escalation",)),
    "CKV_K8S_158": Covered("escalate on (cluster)roles", ("security-rbac-escalation",)),
    "CKV2_K8S_1": Covered(
        "Binding to a ServiceAccount of a role with bind on rolebindings",
        ("security-rbac-escalation",),
    ),
    "CKV2_K8S_2": Covered(
        "Binding to a ServiceAccount of a role with create on pods/exec or nodes/proxy",
        ("security-rbac-pod-exec",),
    ),
    "CKV2_K8S_3": Covered(
        "Binding to a ServiceAccount of a role with impersonate",
        ("security-rbac-escalation",),
    ),
    "CKV2_K8S_4": Covered(
        "Binding to a ServiceAccount of a role that updates services/status (CVE-2020-8554)",
        ("security-rbac-wildcard",),
        "covered only through a wildcard; an explicit services/status grant is not reported",
    ),
    "CKV2_K8S_5": Covered(
        "Binding to a ServiceAccount of a role reading all Secrets",
        ("security-rbac-secret-read",),
    ),
    "CKV2_K8S_6": Covered(
        "Pod with no NetworkPolicy",
        ("security-pod-no-networkpolicy",),
        "todo-dapr reports it only where the namespace has policies in the input",
    ),
}

# Check id -> why no todo-dapr rule reports it.
NOT_APPLICABLE: dict[str, str] = {
    "CKV_K8S_8": "liveness probe: availability, not security; the cluster runs the pod without",
    "CKV_K8S_9": "readiness probe: availability, not security; the cluster runs the pod without",
    "CKV_K8S_11": (
        "CPU limit: throttles the app without protecting its neighbours (the CPU request "
        "does); not asked for"
    ),
    "CKV_K8S_21": (
        "default namespace: the namespace is chosen at install (helm -n); not a flaw of the "
        "manifest"
    ),
    "CKV_K8S_22": (
        "read-only root filesystem: in no Pod Security level and no runtime failure; a "
        "hardening choice the hardened set makes"
    ),
    "CKV_K8S_33": "Kubernetes dashboard image: not a Dapr app",
    "CKV_K8S_34": "Tiller (Helm 2) image: not a Dapr app; Helm 2 is gone",
    "CKV_K8S_35": (
        "Secret in env (secretKeyRef): the value never appears in the manifest, which is what "
        "todo-dapr asks for; env versus files is the app's choice"
    ),
    "CKV_K8S_44": "Tiller Service: Helm 2 is gone",
    "CKV_K8S_45": "Tiller Deployment: Helm 2 is gone",
    "CKV_K8S_155": "admission webhook ClusterRoles: not granted to apps (a known gap)",
    "CKV_K8S_156": "CSR approval ClusterRoles: not granted to apps (a known gap)",
    "CKV_K8S_159": "git-sync GITSYNC_GIT env: not a Dapr app",
}
# PodSecurityPolicy was removed in Kubernetes 1.25.
_PSP = {"CKV_K8S_1", "CKV_K8S_2", "CKV_K8S_3", "CKV_K8S_4", "CKV_K8S_5", "CKV_K8S_6"}
_PSP |= {"CKV_K8S_7", "CKV_K8S_24", "CKV_K8S_32", "CKV_K8S_36"}


def not_applicable(check_id: str) -> str | None:
    if check_id in NOT_APPLICABLE:
        return NOT_APPLICABLE[check_id]
    if check_id in _PSP:
        return "PodSecurityPolicy: removed in Kubernetes 1.25"
    number = check_id.removeprefix("CKV_K8S_")
    if number.isdigit() and 68 <= int(number) <= 151:
        return "flags of kube-apiserver, kubelet, etcd, controller-manager or scheduler"
    if number.isdigit() and 152 <= int(number) <= 154:
        return "ingress-nginx snippet annotations: the chart ships no Ingress"
    return None


# -- running both tools -------------------------------------------------------------------------


def run_checkov(checkov: str, directory: Path) -> dict[Path, set[str]]:
    """Failed check ids by file, for every YAML file under ``directory``."""
    result = subprocess.run(
        [
            checkov,
            "--framework",
            "kubernetes",
            "-o",
            "json",
            "--quiet",
            "--skip-download",
            "-d",
            str(directory),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # 0: no failure, 1: failures; anything else (or no JSON) is checkov itself failing.
    if result.returncode not in (0, 1):
        raise SystemExit(f"checkov exited {result.returncode}: {result.stderr[-2000:]}")
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"checkov printed no JSON ({exc}): {result.stdout[:500]}") from exc
    failed: dict[Path, set[str]] = {p.resolve(): set() for p in directory.glob("*.yaml")}
    for report in reports if isinstance(reports, list) else [reports]:
        results = report.get("results") if isinstance(report, dict) else None
        for check in (results or {}).get("failed_checks", []):
            path = Path(check.get("file_abs_path") or directory / check["file_path"].lstrip("/"))
            failed.setdefault(path.resolve(), set()).add(check["check_id"])
    return failed


def todo_dapr(path: Path) -> dict[str, str]:
    """Unsuppressed findings of ``path`` alone: rule id -> its most severe severity. As in
    tests/test_security_sets.py, the cluster's injector drops daprd's capabilities."""
    sys.path.insert(0, str(ROOT))
    from tools.core.context import RunContext
    from tools.validate import Source, validate

    context = RunContext(dapr_sidecar_drop_all=True)
    order = {"error": 0, "warning": 1, "info": 2}
    reported: dict[str, str] = {}
    source = Source(str(path), path.read_text(encoding="utf-8"))
    for finding in validate([source], context=context).findings:
        if finding.suppressed is not None:
            continue
        severity = str(finding.severity)
        if finding.rule not in reported or order[severity] < order[reported[finding.rule]]:
            reported[finding.rule] = severity
    return reported


def expected(path: Path) -> list[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return [part.strip() for part in first.removeprefix("# expect:").split(",") if part.strip()]


def _documents(path: Path) -> list[dict[str, Any]]:
    docs = yaml.safe_load_all(path.read_text(encoding="utf-8"))
    return [d for d in docs if isinstance(d, dict)]


def _selects_by_dapr_label(policy: dict[str, Any], app_ids: set[str]) -> bool:
    labels = ((policy.get("spec") or {}).get("podSelector") or {}).get("matchLabels") or {}
    return labels.get("dapr.io/app-id") in app_ids or labels.get("dapr.io/sidecar-injected") == (
        "true"
    )


def excuse(check_id: str, path: Path) -> str | None:
    """Why todo-dapr's silence on a covered check is by design in this file, if it is."""
    if check_id != "CKV2_K8S_6":
        return None
    docs = _documents(path)
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    if not policies:
        return "no NetworkPolicy in the input: whether the cluster has one is unknown"
    app_ids = set()
    for doc in docs:
        template = (doc.get("spec") or {}).get("template") or {}
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        if "dapr.io/app-id" in annotations:
            app_ids.add(annotations["dapr.io/app-id"])
    if any(_selects_by_dapr_label(p, app_ids) for p in policies):
        return "selected by the dapr.io/app-id label the Dapr injector adds, unknown to checkov"
    return None


# -- comparison ---------------------------------------------------------------------------------


@dataclass
class Row:
    path: Path
    expect: list[str]
    checkov: set[str]
    ours: dict[str, str]
    unmatched: list[str]
    excused: list[str]


def _rules_of(check_id: str) -> tuple[str, ...]:
    covered = COVERED.get(check_id)
    return covered.rules if covered else ()


def compare_hostile(failed: dict[Path, set[str]]) -> tuple[list[Row], list[str]]:
    rows, problems = [], []
    for path in sorted(HOSTILE.glob("*.yaml")):
        ours = todo_dapr(path)
        reported = {rule for rule, severity in ours.items() if severity != "info"}
        row = Row(path, expected(path), failed.get(path.resolve(), set()), ours, [], [])
        for check_id in sorted(row.checkov):
            if not_applicable(check_id):
                continue
            rules = _rules_of(check_id)
            if not rules:
                problems.append(f"{path.name}: {check_id} is in neither COVERED nor NOT_APPLICABLE")
                row.unmatched.append(check_id)
            elif not reported & set(rules):
                reason = excuse(check_id, path)
                if reason:
                    row.excused.append(f"{check_id} ({reason})")
                else:
                    row.unmatched.append(check_id)
                    problems.append(
                        f"{path.name}: checkov {check_id} failed, but todo-dapr reports none of "
                        f"{', '.join(rules)}"
                    )
        rows.append(row)
    return rows, problems


def compare_hardened(failed: dict[Path, set[str]]) -> tuple[list[Row], list[str]]:
    rows, problems = [], []
    for path in sorted(HARDENED.glob("*.yaml")):
        ours = todo_dapr(path)
        row = Row(path, [], failed.get(path.resolve(), set()), ours, [], [])
        for check_id in sorted(row.checkov):
            agreed = set(_rules_of(check_id)) & set(ours)
            if agreed:
                problems.append(
                    f"{path.name} (hardened): checkov {check_id} and todo-dapr "
                    f"{', '.join(sorted(agreed))} both report it: fix the manifest"
                )
        rows.append(row)
    return rows, problems


def _cell(items: Iterable[str]) -> str:
    text = ", ".join(items)
    return text or "–"


def mapping_table() -> list[str]:
    lines = [
        "## checkov check → todo-dapr rule",
        "",
        "| checkov | what it tests | todo-dapr rule (any one) | note |",
        "|---|---|---|---|",
    ]
    for check_id, covered in COVERED.items():
        lines.append(
            f"| {check_id} | {covered.name} | {', '.join(covered.rules)} | {covered.note} |"
        )
    lines += ["", "| checkov | not applicable because |", "|---|---|"]
    for check_id, reason in NOT_APPLICABLE.items():
        lines.append(f"| {check_id} | {reason} |")
    lines.append(f"| {', '.join(sorted(_PSP, key=_number))} | PodSecurityPolicy: removed in 1.25 |")
    lines.append("| CKV_K8S_68 … CKV_K8S_151 | control-plane component flags |")
    lines.append("| CKV_K8S_152 … CKV_K8S_154 | ingress-nginx snippet annotations |")
    return lines


def _number(check_id: str) -> int:
    return int(check_id.rsplit("_", 1)[1])


def case_table(rows: list[Row]) -> list[str]:
    lines = [
        "## hostile cases",
        "",
        "| case | expected | checkov failed | todo-dapr reported | checkov without a match | "
        "silent by design |",
        "|---|---|---|---|---|---|",
    ]
    caught_ckv = caught_ours = 0
    for row in rows:
        relevant = [c for c in sorted(row.checkov, key=_sort_key) if not not_applicable(c)]
        ckv_hits = {r for c in relevant for r in _rules_of(c)} & set(row.expect)
        caught_ckv += bool(ckv_hits)
        ours_ok = all(row.ours.get(rule) in ("error", "warning") for rule in row.expect)
        caught_ours += ours_ok
        reported = [
            f"{rule} ({severity[0].upper()})" for rule, severity in sorted(row.ours.items())
        ]
        lines.append(
            f"| {row.path.stem} | {_cell(row.expect)} | {_cell(relevant)} | "
            f"{_cell(reported)} | {_cell(row.unmatched)} | {_cell(row.excused)} |"
        )
    lines += [
        "",
        f"cases whose expected rule a checkov check covers and fails: {caught_ckv}/{len(rows)}; "
        f"cases todo-dapr reports with every expected rule: {caught_ours}/{len(rows)}",
    ]
    return lines


def _sort_key(check_id: str) -> tuple[str, int]:
    return (check_id.split("_K8S_", maxsplit=1)[0], _number(check_id))


def hardened_table(rows: list[Row]) -> list[str]:
    lines = ["## hardened files", "", "| file | checkov failed | todo-dapr |", "|---|---|---|"]
    for row in rows:
        ours = [f"{rule} ({severity})" for rule, severity in sorted(row.ours.items())]
        lines.append(
            f"| {row.path.name} | {_cell(sorted(row.checkov, key=_sort_key))} | {_cell(ours)} |"
        )
    return lines


# -- speed --------------------------------------------------------------------------------------


def fixture_stream(count: int) -> str:
    """``count`` documents cycling through every fixture document, each renamed ``<name>-<i>``."""
    docs = [d for p in sorted(FIXTURES.glob("*/*.yaml")) for d in _documents(p)]
    out = []
    for i in range(count):
        doc = copy.deepcopy(docs[i % len(docs)])
        doc["metadata"]["name"] = f"{doc['metadata']['name']}-{i}"
        out.append(doc)
    return yaml.dump_all(out, Dumper=yaml.CSafeDumper, sort_keys=False)


def _ladder(count: int) -> list[int]:
    return sorted({max(1, count // 10), max(1, count // 5), count})


def bench_speed(checkov: str, count: int, repeats: int, budget: float) -> dict[str, Any]:
    """Wall time of both CLIs on streams of count/10, count/5 and count documents.

    checkov grows faster than linearly here (it builds a graph of every resource's
    connections), so a size it is projected to take longer than ``budget`` seconds on is not
    run (its projection is reported instead), a run is stopped after ``budget`` seconds, and a
    run over 60 s is not repeated.
    """
    rows: list[dict[str, Any]] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        for size in _ladder(count):
            path = Path(tmp) / f"stream-{size}.yaml"
            path.write_text(fixture_stream(size), encoding="utf-8")
            ours_cmd = [sys.executable, "-m", "tools", "validate", "-q", "--no-config"]
            ours_cmd += ["--dapr-sidecar-drop-all", "--format", "json", str(path)]
            ours = _median([_wall(ours_cmd, cwd=ROOT, env=env) for _ in range(repeats)])
            row: dict[str, Any] = {"documents": size, "todo_dapr_s": ours}
            measured = [r for r in rows if "checkov_s" in r]
            projection = _projection(measured, size)
            if projection is not None and projection > budget:
                row["checkov_projected_s"] = projection
                rows.append(row)
                continue
            ckv_cmd = [checkov, "--framework", "kubernetes", "-o", "json", "--quiet"]
            ckv_cmd += ["--skip-download", "-f", str(path)]
            first = _wall_within(ckv_cmd, budget)
            if first is None:
                row["checkov_over_s"] = budget
            else:
                runs = [first] + [_wall(ckv_cmd) for _ in range(repeats - 1 if first < 60 else 0)]
                row["checkov_s"] = _median(runs)
                row["checkov_runs"] = len(runs)
            rows.append(row)
    return {"repeats": repeats, "budget_s": budget, "rows": rows}


def _wall_within(cmd: list[str], limit: float) -> float | None:
    """Seconds ``cmd`` took, or None when it was stopped after ``limit`` seconds."""
    started = time.perf_counter()
    try:
        subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def _projection(measured: list[dict[str, Any]], size: int) -> float | None:
    """checkov's time at ``size`` from the growth between its last two measured sizes."""
    if not measured:
        return None
    last = measured[-1]
    exponent = 1.0
    if len(measured) > 1:
        before = measured[-2]
        exponent = max(
            1.0,
            math.log(last["checkov_s"] / before["checkov_s"])
            / math.log(last["documents"] / before["documents"]),
        )
    return float(last["checkov_s"] * (size / last["documents"]) ** exponent)


def speed_lines(speed: dict[str, Any]) -> list[str]:
    lines = [
        "## speed",
        "",
        "Streams cycling through the fixtures' documents (renamed), one file, both CLIs; "
        f"median of {speed['repeats']} runs (checkov once where a run takes over 60 s).",
        "",
        "| documents | todo-dapr s | checkov s | checkov / todo-dapr |",
        "|---:|---:|---:|---:|",
    ]
    for row in speed["rows"]:
        ours = row["todo_dapr_s"]
        if "checkov_s" in row:
            theirs = f"{row['checkov_s']:.1f} | {row['checkov_s'] / ours:.1f}x"
        elif "checkov_over_s" in row:
            over = row["checkov_over_s"]
            theirs = f"> {over:.0f} (stopped) | > {over / ours:.0f}x"
        else:
            projected = row["checkov_projected_s"]
            theirs = f"~{projected:.0f} (projected, not run) | ~{projected / ours:.0f}x"
        lines.append(f"| {row['documents']} | {ours:.2f} | {theirs} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkov_compare", description=__doc__)
    parser.add_argument("--checkov", default=shutil.which("checkov"), help="checkov executable")
    parser.add_argument("--docs", type=int, default=5000, help="documents in the timed stream")
    parser.add_argument("--repeats", type=int, default=3, help="runs per tool (median)")
    parser.add_argument(
        "--budget",
        type=float,
        default=900.0,
        help="skip a checkov run projected to take longer than this many seconds",
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the timing")
    args = parser.parse_args()
    if not args.checkov:
        parser.error("checkov is not on PATH: `nox -s peers`, or pass --checkov PATH")
    hostile, problems = compare_hostile(run_checkov(args.checkov, HOSTILE))
    hardened, more = compare_hardened(run_checkov(args.checkov, HARDENED))
    problems += more
    lines = ["# todo-dapr and checkov on the security fixtures", ""]
    lines += [*mapping_table(), "", *case_table(hostile), "", *hardened_table(hardened)]
    results: dict[str, Any] = {"problems": problems}
    if not args.no_speed:
        print(f"timing both tools on {args.docs} documents...", file=sys.stderr)
        speed = bench_speed(args.checkov, args.docs, args.repeats, args.budget)
        results["speed"] = speed
        lines += ["", *speed_lines(speed)]
    if problems:
        lines += ["", "## problems", "", *(f"- {p}" for p in problems)]
    text = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "checkov.md").write_text(text, encoding="utf-8")
    (OUT / "checkov.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
