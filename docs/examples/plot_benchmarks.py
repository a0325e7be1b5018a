"""
fastnn against the reference, PyTorch and scikit-learn
======================================================

Whole fits timed by ``benchmarks/compare.py`` (one process, the same settings in every
library, every row reaching the same cost or accuracy). Nothing is measured here: the figures
are read from a committed result file, ``benchmarks/results/compare-2026-11-27g.md`` (a
2-core AMD EPYC with AVX-512 and OpenBLAS), by parsing its Markdown table "Whole fits".
Run ``python benchmarks/compare.py`` to measure your own machine.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

RESULT = "benchmarks/results/compare-2026-11-27g.md"


def find_result(name=RESULT):
    """The result file, looked for above this example (docs/examples/ in the repository)."""
    here = Path(globals().get("__file__", "plot_benchmarks.py")).resolve().parent
    for folder in (here, *here.parents, Path.cwd(), *Path.cwd().parents):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name}: run this example from a clone of the fastnn repository")


def markdown_table(text, heading):
    """The first Markdown table after the line starting with ``heading``, as a list of dicts
    (one per row, keyed by the header cells)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, body = rows[0], [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]
    return [dict(zip(header, r)) for r in body]


def seconds(cell):
    return float(cell) if cell not in ("–", "-", "") else np.nan


path = find_result()
rows = markdown_table(path.read_text(encoding="utf-8"), "## Whole fits")
for row in rows:
    print(f"{row['fit']} ({row['dtype']}): fastnn {row['fastnn s']} s, reference {row['reference s']} s, "
          f"torch {row['torch s']} s, scikit-learn {row['sklearn s']} s")

# %%
# One group of bars per fit, on a logarithmic time axis; a missing bar is a library that
# does not run that fit (the reference has no float32 wide net, scikit-learn no course
# runs).

libraries = [("fastnn s", "fastnn"), ("reference s", "NumPy reference"), ("torch s", "PyTorch CPU (eager)"),
             ("sklearn s", "scikit-learn MLP")]
labels = [f"{row['fit']} ({row['dtype']})" for row in rows]
y = np.arange(len(rows))
height = 0.8 / len(libraries)
fig, ax = plt.subplots(figsize=(9, 0.55 * len(rows) + 2), layout="constrained")
for k, (column, name) in enumerate(libraries):
    values = np.array([seconds(row[column]) for row in rows])
    ax.barh(y + (k - 1.5) * height, values, height=height, label=name)
ax.set_yticks(y, labels, fontsize=8)
ax.invert_yaxis()
ax.set_xscale("log")
ax.set_xlabel("wall time of the whole fit (s, log scale)")
ax.set_title(f"benchmarks/compare.py: {path.name}")
fig.legend(fontsize=8, loc="outside lower center", ncols=len(libraries))
plt.show()
