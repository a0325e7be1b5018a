"""The layering the design promises, checked on the source: no import cycles inside
``fastnn``, the reference imports NumPy only, ``import fastnn`` imports no optional extra."""

import ast
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fastnn"


def _module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


_MODULES = {_module_name(p) for p in PACKAGE.rglob("*.py")}


def _imports(path):
    """Every ``fastnn`` module ``path`` imports, at any depth (function-level included)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                # ``from . import io`` imports the module fastnn.io; ``from . import
                # DeepNetwork`` a name of the package (its __init__).
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in _MODULES or sub == "fastnn.kernels" else target)
    return {m for m in found if m in _MODULES and m != name}


def _graph():
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _cycle(graph):
    """A list of modules forming an import cycle, or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, stack + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_graph_sees_function_level_imports():
    graph = _graph()
    assert "fastnn.io" in graph["fastnn.network"]
    assert "fastnn" in graph["fastnn.cli"]  # ``from . import DeepNetwork`` inside train()


def test_no_import_cycle_inside_fastnn():
    """Module-level or inside a function, an import cycle means two modules that cannot be
    understood (or changed) apart; io in particular never imports the models."""
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle)


KERNELS = ROOT / "kernels"  # installed as fastnn.kernels


def _kernel_graph():
    """``{module: kernel modules it imports}`` for ``kernels/``, and every absolute import of
    ``fastnn`` or relative import above the package found there (``[(module, target)]``)."""
    names = {p.stem for p in KERNELS.glob("*.py")}
    graph, outward = {}, []
    for path in KERNELS.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names if a.name in names)
            elif isinstance(node, ast.ImportFrom) and node.level > 1:
                outward.append((path.stem, "." * node.level + (node.module or "")))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "fastnn":
                outward.append((path.stem, node.module))
            elif isinstance(node, ast.Import):
                outward.extend((path.stem, a.name) for a in node.names if a.name.split(".")[0] == "fastnn")
        graph[path.stem] = {m for m in found if m in names and m != path.stem}
    return graph, outward


def test_kernels_import_nothing_from_fastnn():
    """The kernels are pure array functions: nothing of the package above them."""
    _, outward = _kernel_graph()
    assert outward == []


def test_no_import_cycle_inside_the_kernels():
    graph, _ = _kernel_graph()
    assert "codes" in graph["loop"] and "passes" in graph["loop"]  # the finder sees them
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_the_extras_import_no_private_name_of_the_models():
    """fastnn.sklearn and fastnn.dask read models through public names (DeepNetwork's private
    members are read in one module of the Dask package, fastnn/dask/_model.py)."""
    for package in ("sklearn", "dask"):
        for path in (PACKAGE / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("network") and node.level >= 2:
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, (path, private)
    model_access = [p.name for p in (PACKAGE / "dask").rglob("*.py") if "model._" in p.read_text()]
    assert model_access == ["_model.py"]


def test_reference_imports_numpy_only():
    tree = ast.parse((PACKAGE / "reference.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else node.module.split(".")[0])
    assert names <= {"numpy", "math"}, names


OPTIONAL = ["sklearn", "dask", "distributed", "mnist1d", "torch", "matplotlib", "h5py", "scipy.io", "pandas"]


def test_import_fastnn_imports_no_optional_extra():
    code = (
        "import sys, fastnn, fastnn.datasets, fastnn.reference\n"
        f"print(sorted(m for m in {OPTIONAL!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def test_compiling_the_kernels_warns_nothing(tmp_path):
    """A fresh process with an empty Numba cache compiles the training kernels (float64 and
    float32, every output layer, mini-batches, dropout) without a single warning: a user
    must never see Numba's internal warnings (e.g. its pedantic IR checks, which nested
    inlining of the vectorised maths once tripped)."""
    code = (
        "import numpy as np, fastnn\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.standard_normal((5, 40))\n"
        "for dt in ('float64', 'float32'):\n"
        "    for out, Y in (('sigmoid', (X[:1] > 0) * 1.0), ('softmax', rng.integers(0, 3, (1, 40))),\n"
        "                   ('identity', X[:2])):\n"
        "        K = Y.shape[0] if out != 'softmax' else 3\n"
        "        net = fastnn.DeepNetwork([5, 4, K], hidden_activation='tanh', output=out, n_iterations=2,\n"
        "                                 batch_size=16, keep_prob=0.9, dtype=dt).fit(X, Y)\n"
        "        net.predict(X); net.cost(X, Y)\n"
        "fastnn.LogisticRegression(n_iterations=2).fit(X, (X[:1] > 0) * 1.0).predict(X)\n"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Warning" not in result.stderr, result.stderr[-3000:]


def test_a_fit_compiles_only_its_own_output_layer(tmp_path):
    """The training loop and the prediction are compiled per output layer (the first
    `fastnn train` compiles one output layer, not three): in a fresh process with an empty
    cache, a sigmoid fit and predict compile neither the softmax nor the identity loss, and
    the softmax fit that follows does compile its own (so the check can see a compile)."""
    code = (
        "import numpy as np, fastnn\n"
        "from fastnn.kernels import layers, network as KN\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.standard_normal((5, 40))\n"
        "fastnn.DeepNetwork([5, 4, 1], n_iterations=2).fit(X, (X[:1] > 0) * 1.0).predict(X)\n"
        "seen = lambda: [len(d.signatures) for d in (layers.softmax_ce, layers.identity_se, layers.softmax_activate,\n"
        "                                            KN.train_for(KN.OUT_SOFTMAX), KN.train_for(KN.OUT_IDENTITY))]\n"
        "print(seen(), len(layers.sigmoid_output.signatures), len(KN.train_for(KN.OUT_SIGMOID).signatures))\n"
        "fastnn.DeepNetwork([5, 4, 3], output='softmax', n_iterations=2).fit(X, rng.integers(0, 3, (1, 40))).predict(X)\n"
        "print(seen())\n"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = result.stdout.strip().splitlines()
    assert first == "[0, 0, 0, 0, 0] 1 1", first
    assert second == "[1, 0, 1, 1, 0]", second
