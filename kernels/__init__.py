"""Numba-compiled training kernels (installed as ``fastnn.kernels``)."""
