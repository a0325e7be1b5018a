"""fastnn/_validation.py: the declarative parameter rules every public class uses (the
bad-input catalogue, test_bad_inputs.py, holds each class's messages)."""

import inspect

import numpy as np
import pytest

import fastnn
from fastnn._validation import TRAINING_RULES, Flag, Integer, Options, OrNone, Real, Seed, check_parameters


@pytest.mark.parametrize("rule, good, bad, exc, message", [
    (Real(0, None), 0.0, -1e-300, ValueError, r"^x: expected a finite number >= 0, got -1e-300$"),
    (Real(0, None), 2.5, float("inf"), ValueError, r"^x: expected a finite number >= 0"),
    (Real(0, None, closed="neither"), 1e-300, 0.0, ValueError, r"^x: expected a finite number > 0, got 0\.0$"),
    (Real(0, None, closed="neither"), 1, "1", TypeError, r"^x: expected a positive real number, got '1'$"),
    (Real(0, 1, closed="left"), 0.0, 1.0, ValueError, r"^x: expected a number in \[0, 1\), got 1\.0$"),
    (Real(0, 1, closed="right"), 1.0, 0.0, ValueError, r"^x: expected a number in \(0, 1\], got 0\.0$"),
    (Real(0, 1, closed="neither"), 0.5, float("nan"), ValueError, r"^x: expected a number in \(0, 1\)"),
    (Real(0, 1), 0.5, np.True_, TypeError, r"^x: expected a real number in \[0, 1\], got "),
    (Integer(1), np.int32(3), 0, ValueError, r"^x: expected an integer >= 1, got 0$"),
    (Integer(1), 3, 3.0, TypeError, r"^x: expected an integer >= 1, got 3\.0$"),
    (Integer(1), 3, True, TypeError, r"^x: "),
    (Seed(), None, 2**32, ValueError, r"^x: expected an integer in \[0, 2\*\*32\), got 4294967296$"),
    (Seed(), 2**32 - 1, 1.0, TypeError, r"^x: expected None or an integer, got 1\.0$"),
    (Options("a", "b"), "b", "c", ValueError, r"^x: expected one of 'a', 'b', got 'c'$"),
    (Options("a", "b"), "a", None, ValueError, r"^x: expected one of 'a', 'b', got None$"),
    (Flag(), np.False_, 0, TypeError, r"^x: expected True or False, got 0$"),
    (OrNone(Integer(1)), None, 0, ValueError, r"^x: expected an integer >= 1"),
])
def test_rules_accept_and_refuse(rule, good, bad, exc, message):
    rule(good, "x")
    with pytest.raises(exc, match=message):
        rule(bad, "x")


def test_check_parameters_reads_the_attributes_in_order():
    class Obj:
        a, b = 1, "z"

    assert check_parameters(Obj(), {"a": Integer(0), "b": Options("z")}) == {"a": 1, "b": "z"}
    Obj.a, Obj.b = -1, "y"  # two bad values: the first rule of the table reports
    with pytest.raises(ValueError, match="^a: "):
        check_parameters(Obj(), {"a": Integer(0), "b": Options("z")})


@pytest.mark.parametrize("cls", [fastnn.DeepNetwork, fastnn.LogisticRegression])
def test_every_constructor_argument_has_a_rule(cls):
    """A new hyper-parameter cannot go unchecked: each constructor argument is in the class's
    rule table, the shared training rules, or checked by name elsewhere (dtype; output,
    which depends on layer_dims)."""
    arguments = set(inspect.signature(cls.__init__).parameters) - {"self"}
    covered = set(cls._RULES) | set(TRAINING_RULES) | {"dtype", "output"}
    assert arguments <= covered, arguments - covered
