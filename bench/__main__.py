"""`nox -s bench`: throughput, render time and start-up, each as a ratio measured in one run.

Every comparison runs its contenders side by side on the same input in the same process tree,
so machine noise moves both; the figures are medians of repeated runs where runs are cheap.
Results go to build/bench/results.json and a Markdown table on stdout (and a PNG plot of the
scaling curves when matplotlib is installed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
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
                    _time(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)))
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
    from tools.helm import find_helm

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
    start = results["startup"]
    lines += [
        "",
        f"start-up: `python -m tools --help` {start['help_median_ms']:.0f} ms "
        f"(bare python {start['python_bare_median_ms']:.0f} ms)",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--docs", default="1000,5000,20000", help="document counts")
    parser.add_argument("--profiles", default="1,5,20", help="profile counts")
    parser.add_argument("--kv-docs", type=int, default=1000, help="docs for kubernetes-validate")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(x) for x in args.docs.split(",")]
    counts = [int(x) for x in args.profiles.split(",")]
    print("measuring validate throughput...", file=sys.stderr)
    results: dict[str, Any] = {"validate": bench_validate(sizes, args.kv_docs, args.repeats)}
    print("measuring render time...", file=sys.stderr)
    results["render"] = bench_render(counts, args.repeats)
    print("measuring start-up...", file=sys.stderr)
    results["startup"] = bench_startup(15)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    table = _table(results)
    (OUT / "results.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
