"""Faster paths for particular array libraries, each a provider that the dispatch table (:mod:`xcnn._ops`) may choose.

One package or module per library: :mod:`.numpy` (strided views, threads,
scratch buffers, and :mod:`.numpy.numba`'s compiled loops), :mod:`.cupy`
(raw CUDA kernels), :mod:`.torch`. A backend imports the geometry
(:mod:`xcnn._geometry`), never another backend nor the reference's
internals; it gives the reference faster single steps as plain functions
and flags (see :class:`xcnn._reference.primitives.Primitives`) and whole
operations as functions the table calls.
"""
