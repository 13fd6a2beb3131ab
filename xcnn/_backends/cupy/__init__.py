"""CuPy's provider: its primitives for the reference (:mod:`.primitives`) and its raw kernels
(:mod:`.kernels`). Importing this package does not import CuPy."""
