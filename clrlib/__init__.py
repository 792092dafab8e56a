"""clrlib: the helper library of *Provable super-convergence with a large cyclical learning rate*.

Thin, typed and tested: spectra and quadratic problems, step-size schedules, residual
polynomials and their exact sup norms, runners, closed-form theory, one registry of methods
(:data:`METHODS`) and the book's figure style. Every public name is imported below by name, once;
chapters call it as ``clrlib.name``. ``import clrlib`` does not import sympy: the names of
:mod:`clrlib.symbolic` load on first use.

The contract
------------
Every public callable

1. returns a finite, documented result (a NaN or an infinity only where its docstring says when), or
2. raises ``ValueError`` whose message names the argument and its allowed range (a wrong type may
   raise ``TypeError``), or, for a run documented to detect divergence, :class:`DivergenceError`;
3. does bounded work: a request whose answer would need more than a documented budget (steps,
   degree, memory, iterations; the ``MAX_*`` constants of each module) is refused at once with a
   ``ValueError`` that names the budget, never left to run for minutes or to exhaust memory.

Extreme but valid inputs (``kappa`` up to ``1e300`` where floats allow, ``eps`` down to the smallest
positive float, clusters that are single points) get a correct answer or such a refusal.
``tests/test_fuzz.py`` checks this on every name of :data:`__all__` and every entry of
:data:`METHODS`.
"""

from . import style

# spectra, schedules, residual polynomials
from .spectra import (
    Bimodal,
    Interval,
    Quadratic,
    Spectrum,
    as_spectrum,
    least_squares_data,
    random_orthogonal,
)
from .schedules import (
    Constant,
    Cyclical,
    Explicit,
    Periodic,
    Schedule,
    as_steps,
    clr_schedule,
    constant,
)
from .polynomials import (
    argmax_residual,
    cycle_factor,
    log_abs_residual,
    log_sup_residual,
    residual,
    sup_residual,
)

# runners, seeds, finite precision
from .methods import DivergenceError, Run, gradient_descent
from .seeding import base_seed, rng
from .precision import fractal_permutation, order_steps

# theory, baselines, counts, optimal schedules
from .theory import (
    CLRParameters,
    clr_parameters,
    gd_iterations,
    gd_rate,
    gd_step,
    iterations_for_rate,
)
from .baselines import (
    chebyshev_iteration,
    chebyshev_steps,
    heavy_ball,
    heavy_ball_parameters,
    log_chebyshev_worst_case,
    log_heavy_ball_worst_case,
    nesterov,
    nesterov_parameters,
)
from .counts import (
    BestCLR,
    clr_best_parameters,
    cyclical_iterations,
    log_cyclical_worst_case,
    log_sup_two_steps,
)
from .optimal import (
    BestSchedule,
    ClusterChebyshev,
    CyclicalHeavyBall,
    GreenBound,
    MinimaxPolynomial,
    MomentumCLR,
    best_schedule,
    cheb_per_cluster,
    chebyshev_roots,
    clr_momentum,
    cyclical_heavy_ball,
    equilibrium_density,
    green_function,
    green_lower_bound,
    minimax,
    minimax_iterations,
    minimax_lp,
)
from .registry import METHODS, Method, iterations, log_worst_case, register

# data and networks (chapters 3, 9 and 10): two clusters from measured eigenvalues; a small network,
# its exact derivatives, the one training loop
from .data import largest_log_gap, two_cluster_split
from .network import MLP, TrainingRun, hessian_operator, hessian_top_eigenvalues, train

# chapter 11: performance estimation and the silver schedule (PEPit loads on first use)
from .pep import PEP_MAX_STEPS, PEPResult, pep_worst_case, silver_blocks, silver_rate, silver_schedule

# chapter 12: the equilibrium measure of a spectrum as a law for random step sizes
from .equilibrium import EquilibriumMeasure, equilibrium_measure

__version__ = "0.1.0"

#: The names of :mod:`clrlib.symbolic` (sympy), loaded on first use by :func:`__getattr__`.
_SYMBOLIC = (
    "BimodalSymbols",
    "bimodal_parametrisation",
    "bimodal_symbols",
    "certify_abs_le",
    "certify_nonnegative",
    "clr_constants_sym",
    "interval_point",
)


def __getattr__(name: str):
    """Load :mod:`clrlib.symbolic` (and sympy) only when one of its names is first used."""
    if name in _SYMBOLIC or name == "symbolic":
        import importlib

        module = importlib.import_module(f"{__name__}.symbolic")
        return module if name == "symbolic" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    # spectra, schedules, residual polynomials
    "Bimodal", "Interval", "Quadratic", "Spectrum", "as_spectrum", "least_squares_data", "random_orthogonal",
    "Constant", "Cyclical", "Explicit", "Periodic", "Schedule", "as_steps", "clr_schedule", "constant",
    "argmax_residual", "cycle_factor", "log_abs_residual", "log_sup_residual", "residual", "sup_residual",
    # runners, seeds, finite precision
    "DivergenceError", "Run", "gradient_descent", "base_seed", "rng",
    "fractal_permutation", "order_steps",
    # theory, baselines, counts, optimal schedules
    "CLRParameters", "clr_parameters", "gd_iterations", "gd_rate", "gd_step", "iterations_for_rate",
    "chebyshev_iteration", "chebyshev_steps", "heavy_ball", "heavy_ball_parameters",
    "log_chebyshev_worst_case", "log_heavy_ball_worst_case", "nesterov", "nesterov_parameters",
    "BestCLR", "clr_best_parameters", "cyclical_iterations", "log_cyclical_worst_case", "log_sup_two_steps",
    "BestSchedule", "ClusterChebyshev", "CyclicalHeavyBall", "GreenBound", "MinimaxPolynomial", "MomentumCLR",
    "best_schedule", "cheb_per_cluster", "chebyshev_roots", "clr_momentum", "cyclical_heavy_ball",
    "equilibrium_density", "green_function", "green_lower_bound", "minimax", "minimax_iterations", "minimax_lp",
    "METHODS", "Method", "iterations", "log_worst_case", "register",
    # data and networks
    "largest_log_gap", "two_cluster_split",
    "MLP", "TrainingRun", "hessian_operator", "hessian_top_eigenvalues", "train",
    # performance estimation, the silver schedule, the equilibrium measure
    "PEP_MAX_STEPS", "PEPResult", "pep_worst_case", "silver_blocks", "silver_rate", "silver_schedule",
    "EquilibriumMeasure", "equilibrium_measure",
    # symbolic (sympy, loaded on use)
    *_SYMBOLIC,
    "style",
]
