"""`nox -s bench`: throughput, render time and start-up, each as a ratio measured in one run.

Every comparison runs its contenders side by side on the same input in the same process tree,
so machine noise moves both; the figures are medians of repeated runs where runs are cheap.
Results go to build/bench/results.json and a Markdown table on stdout (and a PNG plot of the
scaling curves when matplotlib is installed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "bench"

NETWORK_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np-{i}
  namespace: todo
  labels: {{app.kubernetes.io/name: todo-dapr}}
spec:
  podSelector:
    matchLabels: {{dapr.io/app-id: backend}}
  policyTypes: [Ingress, Egress]
  egress:
    - ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]
    - to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: dapr-system}}}}}}]
      ports: [{{port: 50001, protocol: TCP}}, {{port: 6500, protocol: TCP}}]
  ingress:
    - ports: [{{port: 50002, protocol: TCP}}]
"""


def _stream(count: int) -> str:
    return "".join("---\n" + NETWORK_POLICY.format(i=i) for i in range(count))


def _wall(cmd: list[str], **kwargs: Any) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kwargs)
    return time.perf_counter() - started


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def bench_validate(sizes: list[int], kv_docs: int, repeats: int) -> dict[str, Any]:
    """Docs/s of `python -m tools validate` vs kubernetes-validate's CLI and the parse floor."""
    rows = []
    kv = shutil.which("kubernetes-validate")
    with tempfile.TemporaryDirectory() as tmp:
        kv_rate = None
        if kv:
            path = Path(tmp) / "kv.yaml"
            path.write_text(_stream(kv_docs))
            seconds = _wall([kv, "-k", "1.34", "--strict", "--quiet", str(path)])
            kv_rate = kv_docs / seconds
        for size in sizes:
            path = Path(tmp) / f"docs-{size}.yaml"
            text = _stream(size)
            path.write_text(text)
            floor = _median(
                [
                    _time(lambda text=text: list(yaml.load_all(text, Loader=yaml.CSafeLoader)))
                    for _ in range(repeats)
                ]
            )
            ours = _median(
                [
                    _wall(
                        [
                            sys.executable,
                            "-m",
                            "tools",
                            "validate",
                            "-q",
                            "--format",
                            "json",
                            str(path),
                        ]
                    )
                    for _ in range(repeats)
                ]
            )
            row = {
                "documents": size,
                "ours_docs_per_s": size / ours,
                "floor_docs_per_s": size / floor,
                "ours_over_floor_time": ours / floor,
            }
            if kv_rate:
                row["kubernetes_validate_docs_per_s"] = kv_rate
                row["speedup_vs_kubernetes_validate"] = (size / ours) / kv_rate
            rows.append(row)
    return {"kubernetes_validate_sample_docs": kv_docs if kv else None, "rows": rows}


def _time(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _chart_with_profiles(tmp: Path, count: int) -> Path:
    source = ROOT / "charts" / "todo-dapr"
    chart = tmp / f"chart-{count}" / "todo-dapr"
    shutil.copytree(source, chart)
    originals = sorted((source / "ci").glob("*-values.yaml"))
    for old in (chart / "ci").glob("*-values.yaml"):
        old.unlink()
    for i in range(count):
        shutil.copy(originals[i % len(originals)], chart / "ci" / f"p{i:03d}-values.yaml")
    return chart


def bench_render(counts: list[int], repeats: int) -> dict[str, Any]:
    """Wall time of `python -m tools render` (render + validate) vs a bare `helm template` loop."""
    sys.path.insert(0, str(ROOT))
    from tools.chart.helm import find_helm

    helm = str(find_helm())
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for count in counts:
            chart = _chart_with_profiles(tmp, count)
            files = sorted((chart / "ci").glob("*-values.yaml"))
            loop = []
            ours = []
            for _ in range(repeats):
                started = time.perf_counter()
                for f in files:
                    subprocess.run(
                        [helm, "template", "todo-dapr", str(chart), "-n", "todo", "-f", str(f)],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        check=False,
                    )
                loop.append(time.perf_counter() - started)
                ours.append(
                    _wall(
                        [
                            sys.executable,
                            "-m",
                            "tools",
                            "render",
                            "-q",
                            "--format",
                            "json",
                            "--chart",
                            str(chart),
                            "--out",
                            str(tmp / "out"),
                        ],
                        env={**os.environ, "HELM": helm},
                    )
                )
            rows.append(
                {
                    "profiles": count,
                    "ours_s": _median(ours),
                    "helm_loop_s": _median(loop),
                    "ours_over_loop": _median(ours) / _median(loop),
                }
            )
    return {"rows": rows}


def bench_startup(repeats: int) -> dict[str, Any]:
    samples = [_wall([sys.executable, "-m", "tools", "--help"], cwd=ROOT) for _ in range(repeats)]
    bare = [_wall([sys.executable, "-c", "pass"]) for _ in range(repeats)]
    return {
        "help_median_ms": _median(samples) * 1000,
        "python_bare_median_ms": _median(bare) * 1000,
    }


# -- scaling: validation by document count, render by subscription count ---------------------

COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub-{i}
  namespace: todo
spec:
  type: pubsub.kafka
  version: v1
  initTimeout: 60s
  metadata:
    - name: brokers
      value: redpanda.redpanda.svc.cluster.local:9092
    - name: authType
      value: password
    - name: saslUsername
      secretKeyRef: {{name: kafka-secrets, key: username}}
    - name: saslPassword
      secretKeyRef: {{name: kafka-secrets, key: password}}
    - name: saslMechanism
      value: SHA-256
    - name: consumerGroup
      value: "{{appID}}"
scopes: [backend, notification-service]
"""

SUBSCRIPTION = """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: sub-{i}
  namespace: todo
spec:
  pubsubname: pubsub-{i}
  topic: task-events
  routes:
    default: /api/events/task-events
  deadLetterTopic: task-events-dlq
scopes: [notification-service]
"""


def mixed_stream(count: int) -> str:
    """A realistic mix: per group of three, a Component, a Subscription and a NetworkPolicy."""
    templates = (COMPONENT, SUBSCRIPTION, NETWORK_POLICY)
    return "".join("---\n" + templates[i % 3].format(i=i // 3) for i in range(count))


def linear_fit(xs: list[float], ys: list[float]) -> dict[str, float]:
    """Least-squares y = slope * x + intercept, with R²; growth is linear when R² is near 1."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - (slope * x + intercept)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1 - residual / total if total else 1.0
    return {"slope": slope, "intercept": intercept, "r2": r2}


def projected_seconds(rows: list[dict[str, Any]], size: int) -> float:
    """Time the next size would take, extrapolating the growth seen so far (at least linear)."""
    last = rows[-1]
    exponent = 1.0
    if len(rows) > 1:
        before = rows[-2]
        exponent = max(
            1.0,
            math.log(last["seconds"] / before["seconds"])
            / math.log(last["documents"] / before["documents"]),
        )
    return float(last["seconds"] * (size / last["documents"]) ** exponent)


def bench_validate_scaling(sizes: list[int], repeats: int, budget: float = 240.0) -> dict[str, Any]:
    """In-process validation time of the mixed stream against its CSafeLoader parse floor.

    A size whose projected time exceeds ``budget`` seconds is skipped and reported as such, so
    a validator that grows faster than linearly cannot stall the bench.
    """
    sys.path.insert(0, str(ROOT))
    from tools.validate import Source, validate

    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for size in sizes:
        if rows and (projection := projected_seconds(rows, size)) > budget:
            skipped.append({"documents": size, "projected_seconds": projection})
            continue
        text = mixed_stream(size)
        runs = repeats if size <= 10_000 else 1
        floor = _median(
            [
                _time(lambda text=text: list(yaml.load_all(text, Loader=yaml.CSafeLoader)))
                for _ in range(runs)
            ]
        )
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            report = validate([Source("bench.yaml", text)])
            timings.append(time.perf_counter() - started)
        ours = _median(timings)
        rows.append(
            {
                "documents": size,
                "resources": report.resources,
                "errors": report.errors,
                "seconds": ours,
                "ms_per_doc": ours / size * 1000,
                "floor_seconds": floor,
                "ours_over_floor": ours / floor,
            }
        )
    fit = linear_fit([r["documents"] for r in rows], [r["seconds"] for r in rows])
    growth = None
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = math.log(last["seconds"] / first["seconds"]) / math.log(
            last["documents"] / first["documents"]
        )
    return {"rows": rows, "fit": fit, "skipped": skipped, "loglog_exponent": growth}


def subscriptions_values(count: int) -> dict[str, Any]:
    """Chart values with ``count`` subscriptions, one topic each, spread over five apps.

    One topic per subscription: the chart refuses two subscriptions that deliver one topic to
    the same app (daprd would keep only the first).
    """
    topics = [f"topic-{t}" for t in range(max(count, 2))]
    apps = {
        f"app-{a}": {
            "publishes": topics[:2],
            "stateStore": True,
            "secretStore": True,
            "scheduler": a == 0,
        }
        for a in range(5)
    }
    subscriptions = [
        {
            "name": f"sub-{i}",
            "topic": topics[i],
            "routes": {"default": f"/events/{i}"},
            "deadLetterTopic": f"{topics[i]}-dlq",
            "scopes": [f"app-{i % 5}"],
        }
        for i in range(count)
    ]
    return {"apps": apps, "pubsub": {"topics": topics}, "subscriptions": subscriptions}


def bench_subscriptions(counts: list[int], repeats: int) -> dict[str, Any]:
    """helm template time (and validation of its output) for a chart with N subscriptions."""
    sys.path.insert(0, str(ROOT))
    from tools.chart.helm import find_helm
    from tools.validate import Source, validate

    helm = str(find_helm())
    chart = ROOT / "charts" / "todo-dapr"
    defaults = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        for count in counts:
            values = subscriptions_values(count)
            # apps is a map: null out the chart's default apps so only the generated ones remain
            values["apps"].update({name: None for name in defaults["apps"]})
            path = Path(tmpdir) / f"subs-{count}.yaml"
            path.write_text(yaml.safe_dump(values), encoding="utf-8")
            cmd = [helm, "template", "todo", str(chart), "-n", "todo", "-f", str(path)]
            result = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise SystemExit(
                    f"helm template failed with {count} subscriptions: {result.stderr}"
                )
            seconds = _median([_wall(cmd) for _ in range(repeats)])
            started = time.perf_counter()
            report = validate([Source(str(path), result.stdout)])
            validate_s = time.perf_counter() - started
            rows.append(
                {
                    "subscriptions": count,
                    "resources": report.resources,
                    "errors": report.errors,
                    "render_s": seconds,
                    "validate_s": validate_s,
                }
            )
    fit = linear_fit([r["subscriptions"] for r in rows], [r["render_s"] for r in rows])
    return {"rows": rows, "fit": fit}


def plot(results: dict[str, Any], target: Path) -> Path | None:
    """The three scaling curves side by side, as a PNG (needs matplotlib: the bench extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install -e .[bench])", file=sys.stderr)
        return None
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    panels = [
        (
            "validate_scaling",
            "documents",
            "seconds",
            "validation (mixed Dapr/K8s docs)",
            "documents",
        ),
        ("render", "profiles", "ours_s", "render + validate N profiles", "profiles"),
        (
            "subscriptions",
            "subscriptions",
            "render_s",
            "helm template, N subscriptions",
            "subscriptions",
        ),
    ]
    for axis, (key, x_key, y_key, title, label) in zip(axes, panels, strict=True):
        rows = results.get(key, {}).get("rows", [])
        if not rows:
            continue
        xs = [r[x_key] for r in rows]
        ys = [r[y_key] for r in rows]
        axis.plot(xs, ys, "o-", label="measured")
        if key == "validate_scaling":
            # On log axes a least-squares line is meaningless; show constant time per document.
            per_doc = ys[0] / xs[0]
            axis.plot(xs, [per_doc * x for x in xs], "--", label="linear (time/doc of smallest)")
        elif len(xs) > 1:
            fit = linear_fit(xs, ys)
            axis.plot(
                xs,
                [fit["slope"] * x + fit["intercept"] for x in xs],
                "--",
                label=f"linear fit, R²={fit['r2']:.3f}",
            )
        if key == "render":
            axis.plot(xs, [r["helm_loop_s"] for r in rows], "s:", label="bare helm loop")
        if key == "validate_scaling":
            axis.plot(xs, [r["floor_seconds"] for r in rows], "s:", label="YAML parse floor")
            axis.set_xscale("log")
            axis.set_yscale("log")
        axis.set_title(title)
        axis.set_xlabel(label)
        axis.set_ylabel("seconds")
        axis.grid(True, alpha=0.3)
        axis.legend()
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def _table(results: dict[str, Any]) -> str:
    lines = ["## validate throughput (NetworkPolicy documents)", ""]
    lines.append(
        "| docs | ours docs/s | parse floor docs/s | ours/floor time | vs kubernetes-validate |"
    )
    lines.append("|---:|---:|---:|---:|---:|")
    for row in results["validate"]["rows"]:
        speedup = row.get("speedup_vs_kubernetes_validate")
        lines.append(
            f"| {row['documents']} | {row['ours_docs_per_s']:.0f} | {row['floor_docs_per_s']:.0f} "
            f"| {row['ours_over_floor_time']:.2f}x | "
            + (f"{speedup:.0f}x" if speedup else "n/a")
            + " |"
        )
    kv_rows = [r for r in results["validate"]["rows"] if "kubernetes_validate_docs_per_s" in r]
    if kv_rows:
        lines.append(
            f"\nkubernetes-validate CLI: {kv_rows[0]['kubernetes_validate_docs_per_s']:.0f} docs/s "
            f"on {results['validate']['kubernetes_validate_sample_docs']} documents"
        )
    lines += ["", "## render (helm template + validate) vs a bare sequential helm loop", ""]
    lines.append("| profiles | ours s | helm loop s | ours/loop |")
    lines.append("|---:|---:|---:|---:|")
    for row in results["render"]["rows"]:
        lines.append(
            f"| {row['profiles']} | {row['ours_s']:.2f} | {row['helm_loop_s']:.2f} "
            f"| {row['ours_over_loop']:.2f} |"
        )
    scaling = results.get("validate_scaling")
    if scaling:
        kv = next(
            (
                r["kubernetes_validate_docs_per_s"]
                for r in results["validate"]["rows"]
                if "kubernetes_validate_docs_per_s" in r
            ),
            None,
        )
        lines += [
            "",
            "## validation scaling (mix of Components, Subscriptions, NetworkPolicies)",
            "",
        ]
        lines.append(
            "| docs | seconds | ms/doc | docs/s | parse floor s | ours/floor "
            "| vs kubernetes-validate |"
        )
        lines.append("|---:|---:|---:|---:|---:|---:|---:|")
        for row in scaling["rows"]:
            rate = row["documents"] / row["seconds"]
            lines.append(
                f"| {row['documents']} | {row['seconds']:.2f} | {row['ms_per_doc']:.3f} "
                f"| {rate:.0f} | {row['floor_seconds']:.2f} | {row['ours_over_floor']:.1f}x | "
                + (f"{rate / kv:.1f}x" if kv else "n/a")
                + " |"
            )
        fit = scaling["fit"]
        lines.append(
            f"\nlinear fit: {fit['slope'] * 1000:.3f} ms per document, R² = {fit['r2']:.4f}"
        )
        if scaling.get("loglog_exponent") is not None:
            exponent = scaling["loglog_exponent"]
            verdict = "linear" if exponent < 1.15 else "faster than linear"
            lines.append(f"growth: time ~ docs^{exponent:.2f} ({verdict})")
        for skip in scaling.get("skipped", []):
            lines.append(
                f"skipped {skip['documents']} documents: projected "
                f"{skip['projected_seconds']:.0f} s at the growth measured so far"
            )
    subs = results.get("subscriptions")
    if subs:
        lines += ["", "## chart with N subscriptions (helm template; validation of its output)", ""]
        lines.append("| subscriptions | resources | helm template s | validate s |")
        lines.append("|---:|---:|---:|---:|")
        for row in subs["rows"]:
            lines.append(
                f"| {row['subscriptions']} | {row['resources']} | {row['render_s']:.3f} "
                f"| {row['validate_s']:.3f} |"
            )
        fit = subs["fit"]
        lines.append(
            f"\nlinear fit: {fit['slope'] * 1000:.3f} ms per subscription, R² = {fit['r2']:.4f}"
        )
    render_rows = results["render"]["rows"]
    if len(render_rows) > 1:
        fit = linear_fit([r["profiles"] for r in render_rows], [r["ours_s"] for r in render_rows])
        lines.append(
            f"\nrender linear fit: {fit['slope'] * 1000:.0f} ms per profile, R² = {fit['r2']:.4f}"
        )
    start = results["startup"]
    lines += [
        "",
        f"start-up: `python -m tools --help` {start['help_median_ms']:.0f} ms "
        f"(bare python {start['python_bare_median_ms']:.0f} ms)",
    ]
    return "\n".join(lines) + "\n"


def _compile_bytecode() -> None:
    """Write the bytecode an installed copy has, so start-up is measured as users see it.

    pip compiles a package when it installs it; a checkout run with PYTHONDONTWRITEBYTECODE set
    (as CI machines often are) would otherwise recompile every module on each start, which is a
    cost of the checkout, not of the tool. The same holds for the environment's packages when
    the installer skipped compiling them (uv does by default, and pip under
    PYTHONDONTWRITEBYTECODE): they are compiled too, kubernetes-validate among them, so both
    sides of the comparison start from bytecode.
    """
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            str(ROOT / "tools"),
            sysconfig.get_paths()["purelib"],
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--docs", default="1000,5000,20000", help="document counts")
    parser.add_argument("--profiles", default="1,5,10,25,50", help="profile counts")
    parser.add_argument(
        "--scale-docs", default="100,1000,10000,100000", help="document counts (mixed stream)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=240.0,
        help="skip a validation size projected to take longer than this many seconds",
    )
    parser.add_argument(
        "--subscriptions", default="1,10,50,100,250,500", help="subscription counts"
    )
    parser.add_argument("--kv-docs", type=int, default=1000, help="docs for kubernetes-validate")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(x) for x in args.docs.split(",")]
    counts = [int(x) for x in args.profiles.split(",")]
    _compile_bytecode()
    print("measuring validate throughput...", file=sys.stderr)
    results: dict[str, Any] = {"validate": bench_validate(sizes, args.kv_docs, args.repeats)}
    print("measuring render time...", file=sys.stderr)
    results["render"] = bench_render(counts, args.repeats)
    print("measuring validation scaling...", file=sys.stderr)
    scale = [int(x) for x in args.scale_docs.split(",")]
    results["validate_scaling"] = bench_validate_scaling(scale, args.repeats, args.budget)
    print("measuring render time by subscription count...", file=sys.stderr)
    subs = [int(x) for x in args.subscriptions.split(",")]
    results["subscriptions"] = bench_subscriptions(subs, args.repeats)
    print("measuring start-up...", file=sys.stderr)
    results["startup"] = bench_startup(15)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    table = _table(results)
    (OUT / "results.md").write_text(table)
    png = plot(results, OUT / "scaling.png")
    print(table)
    if png:
        print(f"plot: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
