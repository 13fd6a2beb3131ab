"""xcnn: convolutional-network building blocks written once, run on any array library.

The tutorial's functions (``zero_pad``, ``conv_forward``, ``pool_backward``, ...)
take NumPy, CuPy, PyTorch or array_api_strict arrays and return arrays of the
same library on the same device. :func:`set_backend`, :func:`use_backend` and
the ``XCNN_BACKEND`` / ``XCNN_DEVICE`` environment variables choose where new
data goes.
"""

from __future__ import annotations

from . import filters, functional
from ._explain import Explanation, explain
from .backend import (
    Backend,
    BackendInfo,
    BackendUnavailableError,
    asarray,
    available_backends,
    backend_info,
    get_backend,
    set_backend,
    to_numpy,
    use_backend,
)
from .workspace import get_workspace_limit, set_workspace_limit
from .tutorial import (
    conv_backward,
    conv_forward,
    conv_single_step,
    create_mask_from_window,
    distribute_value,
    pool_backward,
    pool_forward,
    zero_pad,
)

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "BackendInfo",
    "BackendUnavailableError",
    "Explanation",
    "__version__",
    "asarray",
    "available_backends",
    "backend_info",
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "explain",
    "filters",
    "functional",
    "get_backend",
    "get_workspace_limit",
    "pool_backward",
    "pool_forward",
    "set_backend",
    "set_workspace_limit",
    "to_numpy",
    "use_backend",
    "zero_pad",
]
