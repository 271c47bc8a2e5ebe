"""tender: evaluate public-sector tenders and recommend an award.

The library API is re-exported here lazily, so `import tender` (and `tender --help`)
stays fast and loads no pandas until a function is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_tender": "tender.inputs",
    "load_inputs": "tender.inputs",
    "evaluate": "tender.scoring",
    "Evaluation": "tender.scoring",
    "evaluate_file": "tender.workflows.evaluation",
    "write_results": "tender.outputs",
    "Tender": "tender.model",
    "TenderInputError": "tender.errors",
    "Problem": "tender.errors",
    "FORMULAS": "tender.price",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'tender' has no attribute {name!r}")
