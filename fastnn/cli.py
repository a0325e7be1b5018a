"""The ``fastnn`` command line: ``fastnn train`` trains a model and writes what it learnt.

With no options it trains the course's shallow tanh network (4 hidden units) on the
built-in planar "flower" data set; ``--data mnist1d`` trains the MNIST-1D paper's MLP
(``pip install "fastnn-numba[mnist1d]"``); ``--data DIR`` trains the course's deep network on the
cat / non-cat images in ``DIR``. Each data set brings its defaults (below); every option
overrides them.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from ._validation import HIDDEN_ACTIVATIONS, INITS

PLANAR = dict(layers=[2, 4, 1], activation="tanh", learning_rate=1.2, iterations=10000, init="small", seed=2,
              record_every=100)
CAT = dict(layers=[12288, 20, 7, 5, 1], activation="relu", learning_rate=0.0075, iterations=2500, init="lecun", seed=1,
           record_every=100)
#: The MNIST-1D paper's MLP (Greydanus & Kobak): 40-100-100-10 ReLU, Adam at 1e-2, batches of
#: 100, 6000 steps (150 epochs); the test split is the validation curve.
MNIST1D = dict(layers=[40, 100, 100, 10], activation="relu", learning_rate=0.01, iterations=150, init="he", seed=1,
               record_every=1, options=dict(optimizer="adam", batch_size=100), validate=True)


class UsageError(Exception):
    """A bad argument or missing input: one line on stderr and exit code 2."""


def _int_list(text):
    try:
        dims = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 12288,20,7,5,1, got {text!r}")
    return dims


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``fastnn train: error: ...``) and exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser():
    parser = _Parser(prog="fastnn", description="fast CPU training of small neural networks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    train = sub.add_parser(
        "train",
        help="train a network and write model, learning curve and metrics",
        description="Train a network. Default: the course's shallow tanh network on the planar flower "
        "data set; with --data DIR: the course's deep network on the cat / non-cat images.",
    )
    train.add_argument("--data", metavar="DATA",
                       help="planar (default: the built-in flower), mnist1d (generated, needs "
                            "fastnn-numba[mnist1d]), or a directory with train_catvnoncat.h5 and test_catvnoncat.h5")
    train.add_argument("--model", choices=["network", "logistic"], default="network",
                       help="a DeepNetwork (default) or LogisticRegression")
    train.add_argument("--layers", type=_int_list, metavar="N0,N1,...,1",
                       help="layer sizes, input first (default: 2,4,1 planar; 12288,20,7,5,1 cat)")
    train.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, help="hidden activation")
    train.add_argument("--learning-rate", type=float, metavar="ALPHA")
    train.add_argument("--iterations", type=int, metavar="N")
    train.add_argument("--init", choices=INITS)
    train.add_argument("--seed", type=int)
    train.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    train.add_argument("--record-every", type=int, metavar="N",
                       help="record the cost every N iterations/epochs (default 100; 1 for mnist1d)")
    train.add_argument("--optimizer", choices=["gd", "momentum", "adam"], help="update rule (default gd)")
    train.add_argument("--batch-size", type=int, metavar="N", help="mini-batch size (default: full batch)")
    train.add_argument("--l2", type=float, metavar="LAMBDA", help="L2 regularisation (default 0)")
    train.add_argument("--keep-prob", type=float, metavar="P", help="dropout keep probability (default 1: off)")
    train.add_argument("--lr-decay", choices=["inverse", "step"], help="learning-rate decay after each epoch")
    train.add_argument("--decay-rate", type=float, metavar="R", help="decay rate (default 1)")
    train.add_argument("--decay-interval", type=int, metavar="N", help="epochs per step of --lr-decay step (default 1000)")
    train.add_argument("--threads", type=int, metavar="N", help="Numba threads (default: all cores)")
    train.add_argument("--out", default="fastnn-run", metavar="DIR", help="output directory (default ./fastnn-run)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--scheduler", metavar="ADDRESS",
                       help="train on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://host:8786; needs "
                            "fastnn-numba[dask] here and on the workers): X goes to the workers once, one partition "
                            "per worker thread; full-batch results equal the in-memory run's")
    return parser


def _load(args):
    """(name, X_train, Y_train, X_test, Y_test, defaults) for the chosen data."""
    if args.data is None or args.data == "planar":
        from .datasets import load_planar

        X, Y = load_planar()
        return "planar flower (built-in)", X, Y, None, None, PLANAR
    if args.data == "mnist1d":
        from .datasets import load_mnist1d

        try:
            return ("MNIST-1D (4000 train / 1000 test, generated)", *load_mnist1d(), MNIST1D)
        except ImportError as exc:
            raise UsageError(f"--data mnist1d: {exc}")
    from .datasets import load_cat

    if not Path(args.data).is_dir():
        raise UsageError(f"--data {args.data}: no such directory")
    try:
        X_train, Y_train, X_test, Y_test = load_cat(args.data)
    except (FileNotFoundError, ImportError, OSError) as exc:
        raise UsageError(f"--data {args.data}: {exc}")
    return "cat / non-cat images", X_train, Y_train, X_test, Y_test, CAT


def _set_threads(n):
    import numba

    if not 1 <= n <= numba.config.NUMBA_NUM_THREADS:
        raise UsageError(f"--threads: expected 1..{numba.config.NUMBA_NUM_THREADS}, got {n}")
    numba.set_num_threads(n)
    try:  # optional: also limit BLAS when threadpoolctl is installed
        from threadpoolctl import threadpool_limits

        threadpool_limits(n, user_api="blas")
    except ImportError:
        pass


def train(args):
    """Run ``fastnn train``; return the exit code."""
    import numpy as np

    from . import DeepNetwork, LogisticRegression
    from .plot import learning_curve_png

    if args.threads is not None:
        _set_threads(args.threads)
    name, X_train, Y_train, X_test, Y_test, defaults = _load(args)
    pick = lambda value, key: defaults[key] if value is None else value  # noqa: E731
    lr = pick(args.learning_rate, "learning_rate")
    iterations = pick(args.iterations, "iterations")
    record_every = pick(args.record_every, "record_every")
    try:
        if args.model == "logistic":
            model = LogisticRegression(learning_rate=lr, n_iterations=iterations,
                                       record_every=record_every, dtype=args.dtype)
            what = "LogisticRegression"
        else:
            layers = pick(args.layers, "layers")
            if layers[0] != X_train.shape[0]:
                raise UsageError(f"--layers: the first size must be the {X_train.shape[0]} input features of this data, got {layers[0]}")
            options = {key: value for key, value in (
                ("optimizer", args.optimizer), ("batch_size", args.batch_size), ("l2", args.l2),
                ("keep_prob", args.keep_prob), ("lr_decay", args.lr_decay), ("decay_rate", args.decay_rate),
                ("decay_interval", args.decay_interval)) if value is not None}
            for key, value in defaults.get("options", {}).items():
                options.setdefault(key, value)
            model = DeepNetwork(layers, hidden_activation=pick(args.activation, "activation"),
                                init=pick(args.init, "init"), seed=pick(args.seed, "seed"), learning_rate=lr,
                                n_iterations=iterations, record_every=record_every, dtype=args.dtype, **options)
            what = f"DeepNetwork {model._dims} {model.hidden_activation}, init {model.init}, seed {model.seed}"
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc))
    epochs = "epochs" if getattr(model, "batch_size", None) else "iterations"
    print(f"fastnn train: {what} on {name} (m={X_train.shape[1]}), {args.dtype}, "
          f"{iterations} {epochs}, learning rate {lr}")

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc}")
    validate = defaults.get("validate") and X_test is not None and isinstance(model, DeepNetwork)
    fit_X, fit_Y, client, cluster_errors = X_train, Y_train, None, ()
    if args.scheduler is not None:
        if not isinstance(model, DeepNetwork):
            raise UsageError("--scheduler: only --model network trains on a Dask cluster")
        try:
            from . import dask as fastnn_dask

            client = fastnn_dask.connect(args.scheduler)
        except (ImportError, ConnectionError) as exc:
            raise UsageError(f"--scheduler {args.scheduler}: {exc}")
        print(f"fastnn train: on the {fastnn_dask.describe(client)}")
        fit_X, fit_Y = fastnn_dask.to_dask(X_train, Y_train, client=client)
        cluster_errors = (fastnn_dask.ClusterError,)
    start = time.perf_counter()
    diverged = None
    try:
        if validate:  # the test split as validation data: a validation curve, no early stopping
            model.fit(fit_X, fit_Y, validation_data=(X_test, Y_test), progress=not args.no_progress)
        else:
            model.fit(fit_X, fit_Y, progress=not args.no_progress)
    except (FloatingPointError, *cluster_errors) as exc:  # the model keeps its last completed iteration
        diverged = str(exc)
    except ValueError as exc:  # settings a Dask fit refuses (dropout, ...): one line, exit 2
        if client is None:
            raise
        raise UsageError(f"--scheduler: {exc}")
    finally:
        if client is not None:
            client.close()
    wall = time.perf_counter() - start

    metrics = {"model": what, "data": name, "dtype": args.dtype, "learning_rate": lr,
               "iterations": model.n_iter_, "wall_time_s": wall,
               **({"steps": model.n_steps_, "learning_rates": model.learning_rates_}
                  if isinstance(model, DeepNetwork) else {}),
               "final_cost": model.costs_[-1] if model.costs_ else None,
               "costs": model.costs_, "record_every": record_every,
               "train_accuracy": model.score(X_train, Y_train)}
    if validate:
        metrics["validation_costs"] = model.validation_costs_
        metrics["validation_scores"] = model.validation_scores_
    print(f"train accuracy: {100 * metrics['train_accuracy']:.2f} %")
    if X_test is not None:
        metrics["test_accuracy"] = model.score(X_test, Y_test)
        print(f"test accuracy:  {100 * metrics['test_accuracy']:.2f} %")
    print(f"wall time: {wall:.2f} s for {model.n_iter_} {epochs}")
    if diverged:
        metrics["error"] = diverged
    model.save(out / "model.npz")
    unit = "epoch" if getattr(model, "batch_size", None) else "iteration"
    iters = list(np.arange(len(model.costs_)) * record_every)
    curves = [("train cost", iters, model.costs_)]
    if validate:
        curves.append(("validation cost (test split)", iters[:len(model.validation_costs_)], model.validation_costs_))
    learning_curve_png(out / "learning_curve.png", curves, title=what, xlabel=unit)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"wrote {out / 'model.npz'}, {out / 'learning_curve.png'}, {out / 'metrics.json'}")
    if diverged:
        print(f"fastnn train: error: {diverged}", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    """Entry point of the ``fastnn`` console script and ``python -m fastnn``."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return train(args)
    except UsageError as exc:
        print(f"fastnn {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nfastnn {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
