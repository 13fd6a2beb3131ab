"""NumPy's compiled provider: Numba loops for unfolding, pooling, depthwise and direct convolution.

Importing this package compiles nothing and does not import Numba; :mod:`.available` says whether
the loops may run, and each module compiles its kernels on first use.
"""
