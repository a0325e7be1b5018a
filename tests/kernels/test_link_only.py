"""kernels/_link_only.py: helpers lowered into a link-only library."""

import numba
import numpy as np
import pytest


def test_helpers_are_compiled_for_linking_only():
    """Helpers lower into a link-only library (no module optimisation, no machine code of their
    own: ``_link_only.py``) when the installed Numba has the internals it needs, and the
    entries that link them in run (the suite's parity tests check their numbers)."""
    from fastnn.kernels import _config, _link_only, network

    if _link_only.PIPELINE is None:
        pytest.skip(f"numba {numba.__version__}: the link-only pipeline is off (internals differ)")
    assert network._needs_cost._compiler.pipeline_class is _link_only.PIPELINE
    # A helper compiled through the dispatcher's own compiler (as a caller does) gets a
    # link-only library with no machine code: its address is 0.
    codes = np.zeros(network.N_CODES, np.int64)
    helper = _config.helper(lambda c: c[0] + 1)
    helper.compile((numba.typeof(codes),))
    (cres,) = helper.overloads.values()
    assert isinstance(cres.library, _link_only.LinkOnlyLibrary)
    assert cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name) == 0

    @numba.njit
    def caller(c):
        return helper(c) * 2

    assert caller(codes) == 2
    assert helper(codes) == 1  # from Python: the ordinary twin
