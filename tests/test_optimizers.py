"""fastnn/optimizers.py: the learning-rate schedules."""

import numpy as np
import pytest

from fastnn import reference as R


@pytest.mark.parametrize("decay, rate, interval", [("inverse", 1, 1000), ("inverse", 0.3, 1000), ("step", 1.0, 7),
                                                    ("step", 0.7, 1), ("step", 3, 1000)])
@pytest.mark.parametrize("first", [0, 1, 999])
def test_learning_rates_are_the_course_formulas_bit_for_bit(decay, rate, interval, first):
    """Epoch e > 0 runs at the rate the course's update_lr / schedule_lr_decay give after
    epoch e - 1 (the reference, in Python floats); epoch 0 at learning_rate."""
    from fastnn.optimizers import learning_rates

    lr0 = 0.0007
    rates = learning_rates(lr0, 2500, decay, rate, interval, first)
    for i, got in enumerate(rates):
        e = first + i
        if e == 0:
            want = lr0
        elif decay == "inverse":
            want = R.update_lr(lr0, e - 1, rate)
        else:
            want = R.schedule_lr_decay(lr0, e - 1, rate, interval)
        assert got == want, (e, got, want)
    assert np.all(learning_rates(lr0, 50, None, rate, interval, first) == lr0)
