"""Writes ``generated/solver_table.rst`` from the solver registry at each build.

The user guide includes it, so the docs' list of solvers is the registry's
(:data:`skbackprop._solvers.SOLVERS`): a solver registered there appears
with what it allows, and nothing else need be edited.
"""

from pathlib import Path


def _yes(flag):
    return "yes" if flag else "no"


def write_table(app):
    from skbackprop._solvers import SOLVERS

    rows = [
        (
            f'``"{solver.name}"``',
            solver.summary,
            _yes(solver.first_order),
            _yes(solver.incremental),
            _yes(solver.early_stopping),
            _yes(solver.data_parallel),
        )
        for solver in SOLVERS.values()
    ]
    header = (
        "solver",
        "what it does",
        "takes ``learning_rate``",
        "``partial_fit``",
        "``early_stopping``",
        "on a Dask cluster",
    )
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in (header, *rows):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    out = Path(app.srcdir) / "generated" / "solver_table.rst"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    if not out.exists() or out.read_text() != text:
        out.write_text(text)


def setup(app):
    app.connect("builder-inited", write_table)
    return {"parallel_read_safe": True}
