"""kernels/codes.py: the integer codes the compiled loop reads, pinned value by value, and the
name maps the Python side goes through (no code is taken from a tuple's order)."""

import numpy as np
import pytest

from fastnn.kernels import codes as KC

PINNED = {
    "C_L": 0, "C_ACT": 1, "C_OUT": 2, "C_OPT": 3, "C_XMAJOR": 4, "C_SHUFFLE": 5, "C_BATCH": 6, "C_EVERY": 7,
    "C_FORM": 8, "N_CODES": 9,
    "RELU": 0, "TANH": 1, "SIGMOID": 2, "IDENTITY": 3,
    "OUT_SIGMOID": 0, "OUT_SOFTMAX": 1, "OUT_IDENTITY": 2, "OUT_POISSON": 3,
    "GD": 0, "MOMENTUM": 1, "ADAM": 2, "SK_ADAM": 3, "SK_SGD": 4, "SK_NESTEROV": 5,
    "SHUFFLE_NONE": 0, "SHUFFLE_COURSE": 1, "SHUFFLE_CONTINUED": 2,
    "FORM_COURSE": 0, "FORM_SKLEARN": 1,
    "H_BETA": 0, "H_BETA1": 1, "H_BETA2": 2, "H_EPS": 3, "H_L2": 4, "H_KEEP": 5, "H_CAP": 6, "H_LSCALE": 7,
    "N_HYPER": 8,
    "I_CUR": 0, "I_T": 1, "I_EPOCH": 2, "I_STEP": 3, "I_SEED": 4, "I_DSEED": 5, "I_E0": 6, "I_NEED": 7,
    "I_MTPOS": 8, "N_ISTATE": 9,
    "F_LOSS": 0, "F_WEIGHT": 1, "N_FSTATE": 2,
    "OK": 0, "BAD_COST": 1, "BAD_UPDATE": 2, "ZERO_WEIGHT": 3,
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_code_value_is_pinned(name):
    assert getattr(KC, name) == PINNED[name]


def test_every_code_of_the_module_is_pinned():
    names = {n for n in vars(KC) if n.isupper() and isinstance(getattr(KC, n), int)}
    assert names == set(PINNED)


@pytest.mark.parametrize("prefix, count", [("C_", "N_CODES"), ("H_", "N_HYPER"), ("I_", "N_ISTATE"),
                                           ("F_", "N_FSTATE")])
def test_slots_are_distinct_and_fill_their_array(prefix, count):
    slots = sorted(v for n, v in PINNED.items() if n.startswith(prefix))
    assert slots == list(range(PINNED[count]))


@pytest.mark.parametrize("table", ["ACTIVATIONS", "OUTPUTS", "OPTIMIZERS", "SHUFFLES", "FORMS", "STATUS"])
def test_name_maps_are_one_to_one(table):
    mapping = getattr(KC, table)
    assert len(set(mapping.values())) == len(mapping)


def test_name_maps_point_at_the_named_codes():
    assert KC.ACTIVATIONS == {"relu": 0, "tanh": 1, "sigmoid": 2, "identity": 3}
    assert KC.OUTPUTS == {"sigmoid": 0, "softmax": 1, "identity": 2, "poisson": 3}
    assert KC.OPTIMIZERS == {"gd": 0, "momentum": 1, "adam": 2, "sklearn-adam": 3, "sklearn-sgd": 4,
                             "sklearn-nesterov": 5}
    assert set(KC.WITH_S) <= set(KC.WITH_V) and KC.GD not in KC.WITH_V


def test_the_kernel_modules_read_the_same_codes():
    """layers, optimizers and network re-export the codes (users imported them from there):
    the same objects, not copies that could drift."""
    from fastnn.kernels import layers, network, optimizers

    for module in (layers, optimizers, network):
        for name, value in vars(module).items():
            if name in PINNED:
                assert value == PINNED[name], (module.__name__, name)


def test_the_models_map_names_through_the_tables():
    """A DeepNetwork's codes come from the name maps: tanh/momentum/softmax land on their
    kernels' codes whatever order the public tuples list them in."""
    import fastnn

    net = fastnn.DeepNetwork([3, 4, 2], hidden_activation="tanh", optimizer="momentum", shuffle=True, batch_size=2)
    net._output = "softmax"
    codes = net._codes()
    assert codes[KC.C_ACT] == KC.TANH and codes[KC.C_OPT] == KC.MOMENTUM and codes[KC.C_OUT] == KC.OUT_SOFTMAX
    assert codes[KC.C_SHUFFLE] == KC.SHUFFLE_COURSE
    assert codes.dtype == np.int64 and codes.size == KC.N_CODES
