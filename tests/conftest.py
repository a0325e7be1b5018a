"""Shared fixtures: the course data (skipped without it, required in CI) and tolerances."""

import os

import numpy as np
import pytest

from fastnn.datasets import CAT_FILES, DATA_ENV, find_cat_data


def _in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def cat_data():
    """``(X_train, Y_train, X_test, Y_test)`` from ``$FASTNN_DATA``.

    Skips with the reason on a clone without the data; in CI (``CI=true``) a missing data
    directory is an error, so the published-number tests can never silently vanish.
    """
    where = find_cat_data()
    if where is None:
        reason = (
            f"cat data not found: set {DATA_ENV} to a directory holding "
            f"{' and '.join(CAT_FILES)} (currently {os.environ.get(DATA_ENV)!r})"
        )
        if _in_ci():
            pytest.fail("CI=true but " + reason)
        pytest.skip(reason)
    from fastnn.datasets import load_cat

    return load_cat(where)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
