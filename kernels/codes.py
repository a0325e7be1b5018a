"""Every integer code of the kernels, by name: one place, pinned by ``tests/kernels/test_codes.py``.

The compiled training loop reads its configuration from small integer arrays (a few
int64/float64 arrays are one compiled signature; a value per option would compile the loop
again for every combination). Each array's slots and each option's values are named here;
the Python side maps the public names (``"relu"``, ``"adam"``, ...) through the
dictionaries at the end, never through the order of a tuple. The values are part of the
cached machine code and of nothing else (model files store names, not codes), but they are
pinned all the same: a silent renumbering would pair a name with another kernel.

``codes`` int64, one slot each (``C_*``)
    ``C_L`` number of layers; ``C_ACT`` hidden activation (``ACTIVATIONS``); ``C_OUT``
    output layer (``OUTPUTS``); ``C_OPT`` optimizer (``OPTIMIZERS``); ``C_XMAJOR`` 1 when
    ``X`` is stored example-major ``(m, n_x)``; ``C_SHUFFLE`` (``SHUFFLES``); ``C_BATCH``
    batch size (0: full batch); ``C_EVERY`` record every this many epochs; ``C_FORM``
    (``FORMS``).
``hyper`` float64 (``H_*``)
    momentum ``beta``, Adam's ``beta1``/``beta2``/``epsilon``, L2 ``lambda``, dropout's
    keep probability, ``H_CAP`` (each example's cross-entropy capped: scikit-learn clips
    probabilities to ``[eps, 1 - eps]``, a cap of ``-log(eps)``), ``H_LSCALE`` (a batch's
    loss sum multiplied before the L2 term is added: scikit-learn's squared error is the
    mean over targets).
``istate`` int64, the run's counters (``I_*``)
    ``I_CUR`` the parameters' current row (double-buffered), ``I_T`` steps taken, ``I_EPOCH``
    and ``I_STEP`` (epoch, step within it), ``I_SEED`` shuffling seed, ``I_DSEED`` dropout
    seed, ``I_E0`` first epoch of this run, ``I_NEED`` 1 when this epoch's cost is computed,
    ``I_MTPOS`` position in the Mersenne Twister's words (scikit-learn's reshuffle).
``fstate`` float64 (``F_*``)
    the epoch's loss and weight sums so far.
Return status of the training loop
    ``OK``, ``BAD_COST`` / ``BAD_UPDATE`` (a non-finite cost or update: the step is not
    applied), ``ZERO_WEIGHT`` (scikit-learn's form: a batch whose weights sum to 0, where
    scikit-learn's ``np.average`` raises ``ZeroDivisionError``).
"""

# codes[...]
C_L, C_ACT, C_OUT, C_OPT, C_XMAJOR, C_SHUFFLE, C_BATCH, C_EVERY, C_FORM = range(9)
N_CODES = C_FORM + 1

#: Hidden activations (codes[C_ACT]).
RELU, TANH, SIGMOID, IDENTITY = 0, 1, 2, 3
#: Output layers (codes[C_OUT]). ``OUT_POISSON``: exponential output with the half Poisson
#: deviance (scikit-learn's ``MLPRegressor(loss="poisson")``).
OUT_SIGMOID, OUT_SOFTMAX, OUT_IDENTITY, OUT_POISSON = 0, 1, 2, 3
#: Optimizers (codes[C_OPT]): the course's three, then scikit-learn's forms (``optimizers.py``).
GD, MOMENTUM, ADAM, SK_ADAM, SK_SGD, SK_NESTEROV = 0, 1, 2, 3, 4, 5
#: Optimizers with a first-moment (velocity) vector, and those with a second one too.
WITH_V = (MOMENTUM, ADAM, SK_ADAM, SK_SGD, SK_NESTEROV)
WITH_S = (ADAM, SK_ADAM)
#: codes[C_SHUFFLE]: batches in order; the course's ``RandomState(seed + e).permutation(m)``
#: for epoch ``e``; or scikit-learn's: the index array reshuffled in place every epoch by a
#: generator whose state continues (``key`` and istate[I_MTPOS], from ``get_state()``).
SHUFFLE_NONE, SHUFFLE_COURSE, SHUFFLE_CONTINUED = 0, 1, 2
#: codes[C_FORM]: the course's bookkeeping (an epoch's cost is the batches' objectives
#: weighted by their weight sums; a batch whose weights are all 0 is skipped), or
#: scikit-learn's (weighted by their row counts; such a batch is an error, as its 0/0 is).
FORM_COURSE, FORM_SKLEARN = 0, 1

# hyper[...]
H_BETA, H_BETA1, H_BETA2, H_EPS, H_L2, H_KEEP, H_CAP, H_LSCALE = range(8)
N_HYPER = H_LSCALE + 1
# istate[...]
I_CUR, I_T, I_EPOCH, I_STEP, I_SEED, I_DSEED, I_E0, I_NEED, I_MTPOS = range(9)
N_ISTATE = I_MTPOS + 1
# fstate[...]
F_LOSS, F_WEIGHT = range(2)
N_FSTATE = F_WEIGHT + 1

# Return status of the training loop.
OK, BAD_COST, BAD_UPDATE, ZERO_WEIGHT = 0, 1, 2, 3

#: Public names -> codes. The Python side maps names through these, never by position.
ACTIVATIONS = {"relu": RELU, "tanh": TANH, "sigmoid": SIGMOID, "identity": IDENTITY}
OUTPUTS = {"sigmoid": OUT_SIGMOID, "softmax": OUT_SOFTMAX, "identity": OUT_IDENTITY, "poisson": OUT_POISSON}
OPTIMIZERS = {"gd": GD, "momentum": MOMENTUM, "adam": ADAM,
              "sklearn-adam": SK_ADAM, "sklearn-sgd": SK_SGD, "sklearn-nesterov": SK_NESTEROV}
SHUFFLES = {"none": SHUFFLE_NONE, "course": SHUFFLE_COURSE, "continued": SHUFFLE_CONTINUED}
FORMS = {"course": FORM_COURSE, "sklearn": FORM_SKLEARN}
STATUS = {"ok": OK, "bad cost": BAD_COST, "bad update": BAD_UPDATE, "zero weight": ZERO_WEIGHT}
