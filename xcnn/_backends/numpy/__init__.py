"""NumPy's faster paths: strided window views, blocked products, threads over samples, scratch buffers.

:mod:`.primitives` holds the single steps NumPy does better than the
reference's array-API code; :mod:`.threads` spreads per-sample work over the
cores; :mod:`.scratch` keeps large temporaries between calls; :mod:`.numba`
compiles the loops of whole operations when Numba is installed.
"""
