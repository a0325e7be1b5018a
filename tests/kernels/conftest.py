"""Fixtures of the kernel tests: their own ``rng`` (it overrides the suite's, in
tests/conftest.py, for the tests of this folder)."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)
