"""Run every benchmark and write the results.

From the repository root::

    python benchmarks/run_all.py

prints the speed and memory tables, and writes them to
``benchmarks/results/benchmarks.md`` with a plot of the ratios
(``benchmarks/results/ratios.png``), and to ``docs/benchmark_results.rst``,
which the documentation's benchmark page includes.
"""

import datetime
import platform
from pathlib import Path

import memory
import speed

ROOT = Path(__file__).resolve().parents[1]
# An empty cell of the results table: a bare "-" would be read as a bullet.
NONE = "\\-"


def plot_code(labels, ratios, targets):
    """Matplotlib code drawing ours / reference against the targets."""
    return "\n".join(
        [
            "import matplotlib.pyplot as plt",
            f"labels = {labels!r}",
            f"ratios = {ratios!r}",
            f"targets = {targets!r}",
            "fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1))",
            "ax.barh(labels, ratios, color='cornflowerblue', label='ours / reference')",
            "ax.scatter(targets, labels, color='k', marker='|', s=200, label='target')",
            "ax.axvline(1.0, color='gray', linewidth=0.8)",
            "ax.invert_yaxis()",
            "ax.set_xlabel('time or memory, ours / reference (lower is better)')",
            "ax.legend(loc='lower right')",
            "fig.tight_layout()",
        ]
    )


def target_value(text):
    try:
        return float(text.split("<=")[1].split(",")[0])
    except (IndexError, ValueError):
        return None


def main():
    speed_rows = speed.main(list(speed.WORKLOADS))
    memory_rows = memory.main()
    python = platform.python_version()
    stamp = f"{datetime.date.today()} on {platform.machine()}, Python {python}"

    labels, ratios, targets = [], [], []
    for result in speed_rows:
        labels.append(result["workload"])
        ratios.append(round(result["ratio"], 3))
        targets.append(target_value(result["target"]))
    for result in memory_rows:
        labels.append(f"peak memory of a gd fit, {result['dtype']}")
        ratios.append(round(result["ratio"], 3))
        targets.append(0.7)

    markdown = [f"Measured {stamp}.", "", speed.HEADER]
    markdown += [speed.format_row(result) for result in speed_rows]
    markdown += ["", memory.HEADER]
    markdown += [memory.format_row(result) for result in memory_rows]
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "benchmarks.md").write_text("\n".join(markdown) + "\n")

    code = plot_code(
        labels, ratios, [t if t is not None else float("nan") for t in targets]
    )
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own generated plotting code
    namespace["fig"].savefig(results / "ratios.png", dpi=100)

    rst = [
        "Results",
        "-------",
        "",
        f"Measured {stamp}, with ``python benchmarks/run_all.py``.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :class: wrapping-table",
        "",
        "   * - workload",
        "     - ours",
        "     - reference",
        "     - ours / reference",
        "     - target",
        "     - floor (floor / ours)",
        "     - note",
    ]
    for result in speed_rows:
        floor = ""
        if "floor_s" in result:
            floor = f"{result['floor_s']:.4g} s ({result['efficiency']:.2f})"
        rst += [
            f"   * - {result['workload']}",
            f"     - {result['ours_s']:.4g} s",
            f"     - {result['reference']} {result['reference_s']:.4g} s",
            f"     - **{result['ratio']:.2f}**",
            f"     - {result['target'] or NONE}",
            f"     - {floor or NONE}",
            f"     - {result['note'] or NONE}",
        ]
    for result in memory_rows:
        rst += [
            f"   * - peak memory of a gd fit, {result['dtype']}",
            f"     - {result['ours']['peak'] / 2**20:.0f} MiB",
            f"     - MLP {result['MLP']['peak'] / 2**20:.0f} MiB",
            f"     - **{result['ratio']:.2f}**",
            "     - <= 0.7",
            f"     - {NONE}",
            f"     - {result['ours']['peak'] / result['ours']['NM']:.2f} N x M buffers",
        ]
    rst += ["", ".. plot::", ""]
    rst += ["   " + line for line in code.splitlines()]
    (ROOT / "docs" / "benchmark_results.rst").write_text("\n".join(rst) + "\n")
    print(f"\nwrote {results / 'benchmarks.md'} and docs/benchmark_results.rst")


if __name__ == "__main__":
    main()
