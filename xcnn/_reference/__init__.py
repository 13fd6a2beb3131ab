"""The array-API implementation of every operation: the reference that each faster path is tested against.

Written against the Python array API standard alone (its only knowledge of
libraries comes through ``array_api_compat``): :mod:`.windows` (padding,
unfold and fold, window reductions), :mod:`.max_routing` (where a max-pool
gradient goes), :mod:`.conv` and :mod:`.depthwise` (convolution),
:mod:`.pool` (pooling). A backend's faster single steps arrive as a
:class:`~.primitives.Primitives`; whole faster implementations live in
:mod:`xcnn._backends`, and the dispatch table (:mod:`xcnn._ops`) chooses.
"""
