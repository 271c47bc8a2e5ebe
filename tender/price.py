"""Price formulas: pure, vectorised functions scoring prices out of the price weight W.

Each formula is registered under the name used in the tender definition's
``price.formula.name`` and declares which way is better, so the tool can say which way a
change of price moves a score. Anchors (lowest, highest) are taken from the prices passed
in: callers pass the compliant, scoreable bids only. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .model import PriceFormula

FloatArray = npt.NDArray[np.float64]
Kernel = Callable[..., FloatArray]


@dataclass(frozen=True)
class Formula:
    """A registered price formula and the facts the rest of the tool needs about it."""

    name: str
    kernel: Kernel
    better: Literal["lower", "higher"]
    allows_zero: bool
    independent_of_worse_bid: bool
    equation: str

    @property
    def summary(self) -> str:
        """The formula's definition: the first line of its docstring."""
        return (self.kernel.__doc__ or "").strip().splitlines()[0]


FORMULAS: dict[str, Formula] = {}


def formula(
    name: str,
    *,
    better: Literal["lower", "higher"],
    equation: str,
    allows_zero: bool = False,
    independent_of_worse_bid: bool = True,
) -> Callable[[Kernel], Kernel]:
    """Register a kernel under `name`.

    `independent_of_worse_bid` records whether adding a bid worse than all others can
    change the order of the rest (rank reversal); bidders' lawyers ask.
    """

    def register(kernel: Kernel) -> Kernel:
        FORMULAS[name] = Formula(
            name, kernel, better, allows_zero, independent_of_worse_bid, equation
        )
        return kernel

    return register


def _as_array(prices: npt.ArrayLike) -> FloatArray:
    return np.asarray(prices, dtype=np.float64)


def _floats(values: npt.ArrayLike) -> FloatArray:
    """The result as a float64 array (numpy's arithmetic is typed loosely)."""
    return np.asarray(values, dtype=np.float64)


@formula("lowest_price", better="lower", equation="W × lowest ÷ price")
def lowest_price(prices: npt.ArrayLike, weight: float) -> FloatArray:
    """W × lowest / price: the lowest price scores W; twice the lowest scores W/2."""
    p = _as_array(prices)
    if p.size == 0:
        return p
    return _floats(weight * p.min() / p)


@formula(
    "linear_deduction",
    better="lower",
    equation="W × max(0, 1 − k × (price − lowest) ÷ lowest)",
)
def linear_deduction(prices: npt.ArrayLike, weight: float, k: float = 1.0) -> FloatArray:
    """W × max(0, 1 − k × (price − lowest) / lowest): k percent of W lost per percent dearer."""
    p = _as_array(prices)
    if p.size == 0:
        return p
    low = p.min()
    return _floats(weight * np.maximum(0.0, 1.0 - k * (p - low) / low))


@formula(
    "interpolation",
    better="lower",
    equation="W × (highest − price) ÷ (highest − lowest)",
    independent_of_worse_bid=False,
)
def interpolation(prices: npt.ArrayLike, weight: float) -> FloatArray:
    """W × (highest − price) / (highest − lowest); all prices equal → W for every bid."""
    p = _as_array(prices)
    if p.size == 0:
        return p
    low, high = p.min(), p.max()
    if high == low:
        return np.full_like(p, weight)
    return _floats(weight * (high - p) / (high - low))


@formula(
    "budget_relative",
    better="lower",
    equation="W × max(0, (budget − price) ÷ (budget − lowest))",
)
def budget_relative(prices: npt.ArrayLike, weight: float, budget: float) -> FloatArray:
    """W × max(0, (budget − price) / (budget − lowest)); a bid above budget scores 0.

    When the lowest price equals the budget, bids at that price score W.
    """
    p = _as_array(prices)
    if p.size == 0:
        return p
    low = p.min()
    if budget <= low:
        return np.where(p == low, weight if budget == low else 0.0, 0.0)
    return _floats(weight * np.clip((budget - p) / (budget - low), 0.0, 1.0))


@formula(
    "highest_offer",
    better="higher",
    equation="W × offer ÷ highest offer",
    allows_zero=True,
)
def highest_offer(prices: npt.ArrayLike, weight: float) -> FloatArray:
    """W × offer / highest offer (income contracts); all offers 0 → W for every bid."""
    o = _as_array(prices)
    if o.size == 0:
        return o
    high = o.max()
    if high == 0:
        return np.full_like(o, weight)
    return _floats(weight * o / high)


@formula(
    "log",
    better="lower",
    equation="W × max(0, 1 − ln(price ÷ lowest) ÷ ln(A))",
)
def log(prices: npt.ArrayLike, weight: float, zero_at_multiple: float = 2.0) -> FloatArray:
    """W × (1 − ln(price / lowest) / ln(A)), clipped at 0; A × lowest scores 0.

    The ratio of two bids' deductions does not depend on the lowest price, so a new
    lowest bid shifts every other score by the same amount and cannot swap them.
    """
    p = _as_array(prices)
    if p.size == 0:
        return p
    deduction = np.log(p / p.min()) / np.log(zero_at_multiple)
    return _floats(weight * np.maximum(0.0, 1.0 - deduction))


def parameters(spec: PriceFormula) -> dict[str, float]:
    """The kernel's keyword arguments from a formula model (everything but `name`)."""
    return {k: float(v) for k, v in spec.model_dump().items() if k != "name"}


def score_prices(prices: npt.ArrayLike, weight: float, spec: PriceFormula) -> FloatArray:
    """Score `prices` with the formula `spec` names (a model from `tender.model`)."""
    return FORMULAS[spec.name].kernel(prices, weight, **parameters(spec))
