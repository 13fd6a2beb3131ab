"""Dask arrays: xcnn's operations on chunked, lazy arrays, one in-memory call per block.

:mod:`.blocks` runs an operation on each batch chunk (the images stay whole);
:mod:`.tiles` splits images too large for one block into spatial tiles, each
with the halo its windows need. Both build a graph and compute nothing; each
block's call goes back through the dispatch table (handed in as `run`), so the
chunks' own library (NumPy with its compiled loops, or CuPy) does the work.
Dask itself is imported only when a dask array arrives.
"""
