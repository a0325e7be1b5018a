"""Every access of :mod:`fastnn.dask` to the private members of ``DeepNetwork``, in one place.

The dask path reads the network's specification (layer sizes, output layer, the kernels'
codes and parameter layout, the fitted dtype and flat parameters) and drives its fit through
the same private steps as the in-memory ``fit`` (hyper-parameter checks, fresh fitted state,
validation set, epoch hook, finish). The other modules of the package call the functions
below and never touch a ``model._name`` themselves: a public network specification replaces
this module only. Each function is the member it names, called as it was (no caching: a
property such as ``_layout`` is evaluated at every call, as before)."""


# ---------------------------------------------------------------- specification


def dims(model):
    """The checked layer sizes ``(n_x, n_1, ..., n_L)`` (set by :func:`check_hyperparameters`)."""
    return model._dims


def output(model):
    """The output layer's name (``"sigmoid"``, ``"softmax"``, ``"identity"``)."""
    return model._output


def codes(model, *args):
    """The kernels' int64 codes; ``args``: ``(xmajor, batch)`` as ``DeepNetwork._codes``."""
    return model._codes(*args)


def layout(model):
    """The flat-parameter :class:`fastnn._layout.Layout` of the network (a fresh one per call)."""
    return model._layout


def hyper(model):
    """The optimizer's and regularisers' float64 hyper-parameter array for the kernels."""
    return model._hyper()


# ---------------------------------------------------------------- fitted state


def check_fitted(model):
    """Raise the in-memory RuntimeError when the model is not fitted."""
    model._check_fitted()


def dtype(model):
    """The dtype the model was fitted in."""
    return model._dtype_


def flat_parameters(model):
    """The fitted parameters as one flat vector in the fitted dtype."""
    return model._flat()


# ---------------------------------------------------------------- the fit's steps


def check_hyperparameters(model):
    """Check every hyper-parameter; return the requested dtype."""
    return model._check_hyperparameters()


def reset_fitted_state(model, dtype):
    """Fresh fitted state for a fit in ``dtype``; returns the seed of the fit's streams."""
    return model._reset_fitted_state(dtype)


def validation_set(model, X, Yf, Yi, w, validation_data, seed, early_stopping):
    """``None``, or ``(training part or None, (X_val, Yf_val, Yi_val))``."""
    return model._validation_set(X, Yf, Yi, w, validation_data, seed, early_stopping)


def epoch_hook(model, layout, codes, state, validation, callback, loop):
    """``(on_epoch, wants, tracker)`` for the training loop."""
    return model._epoch_hook(layout, codes, state, validation, callback, loop)


def finish(model, layout, state, loop, lrs, gram, X, start_steps, tracker):
    """Give the model the state of the last completed step (also after an error)."""
    return model._finish(layout, state, loop, lrs, gram, X, start_steps, tracker)
