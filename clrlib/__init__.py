"""clrlib: the helper library of *Provable super-convergence with a large cyclical learning rate*.

Thin, typed and tested: spectra and quadratic problems, step-size schedules, residual
polynomials and their exact sup norms, runners, closed-form theory, and the book's figure style.
"""

from . import style
from .methods import DivergenceError, Run, gradient_descent
from .seeding import base_seed, rng
from .polynomials import (
    argmax_residual,
    cycle_factor,
    log_abs_residual,
    log_sup_residual,
    residual,
    sup_residual,
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
from .spectra import (
    Bimodal,
    Interval,
    Quadratic,
    Spectrum,
    as_spectrum,
    least_squares_data,
    random_orthogonal,
)
from .theory import (
    CLRParameters,
    clr_parameters,
    gd_iterations,
    gd_rate,
    gd_step,
    iterations_for_rate,
)

# chapters 3, 9 and 10: two clusters from measured eigenvalues
from .data import largest_log_gap, two_cluster_split
# chapters 3, 9 and 10: a small network, its exact derivatives, the one training loop, first_hit
from .network import MLP, TrainingRun, first_hit, hessian_operator, hessian_top_eigenvalues, train
from .symbolic import *  # noqa: F401,F403  (sympy forms used by the proof chapters)
from .baselines import *  # noqa: F401,F403  (Chebyshev, heavy ball, Nesterov, CG)
from .iterations import *  # noqa: F401,F403  (iteration counts to reach eps)
from .optimal import *  # noqa: F401,F403  (minimax polynomials, lower bounds)
from .losses import *  # noqa: F401,F403  (logistic regression, descent on a general loss)
from .stochastic import *  # noqa: F401,F403  (minibatch SGD on least squares)
from .multicluster import *  # noqa: F401,F403  (one step size per cluster)
from .precision import *  # noqa: F401,F403  (step orderings, error floors)
import sys as _sys

from . import baselines, data, losses, multicluster, network, optimal, precision, stochastic, symbolic

__version__ = "0.1.0"

__all__ = [
    "Bimodal", "CLRParameters", "Constant", "Cyclical", "DivergenceError", "Explicit", "Interval",
    "Periodic", "Quadratic", "Run", "Schedule", "Spectrum", "argmax_residual", "as_spectrum",
    "as_steps", "base_seed", "clr_parameters", "clr_schedule", "constant", "cycle_factor", "gd_iterations",
    "gd_rate", "gd_step", "gradient_descent", "iterations_for_rate", "least_squares_data",
    "log_abs_residual", "log_sup_residual", "random_orthogonal", "residual", "rng", "style",
    "sup_residual",
]
# ``clrlib.iterations`` is the function of that name (it shadows its module), so read the
# submodules' public names from sys.modules.
for _name in ("baselines", "data", "iterations", "losses", "multicluster", "network", "optimal", "precision",
              "stochastic", "symbolic"):
    __all__ += [n for n in _sys.modules[f"{__name__}.{_name}"].__all__ if n not in __all__]
del _name
