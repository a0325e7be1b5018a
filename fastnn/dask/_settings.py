"""The dask import (with the message that names the extra when it is missing), the
``fastnn.*`` settings read from ``dask.config``, and the client dask would compute with.

The lowest module of :mod:`fastnn.dask`: it imports nothing else from the package, and the
package's ``__init__`` imports it first, so that ``from fastnn import dask`` without dask
raises the ImportError below."""

try:
    import dask
    import dask.array as da  # noqa: F401  (fails here, with the message below, without dask[array])
except ImportError as exc:  # pragma: no cover - the extra is not installed
    raise ImportError("fastnn.dask needs dask: pip install 'fastnn-numba[dask]' (dask[array,distributed])") from exc


def _setting(name, default):
    return dask.config.get(f"fastnn.{name}", default)


def _active_client():
    """The ``distributed.Client`` dask would compute with, or None (dask's local scheduler)."""
    try:
        from distributed import Client
    except ImportError:
        return None
    if dask.config.get("scheduler", None) not in (None, "dask.distributed", "distributed"):
        return None  # the user chose a local scheduler explicitly
    try:
        return Client.current(allow_global=True)
    except ValueError:
        return None
