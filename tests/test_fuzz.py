"""Fuzzing clrlib's contract (issue 16) on every public callable.

The suite enumerates the callables itself: every callable name of ``clrlib.__all__`` (plus the public
methods listed in ``METHODS_OF`` and every entry of ``clrlib.METHODS``) is fuzzed; a name with no
strategy FAILS ``test_every_callable_has_a_strategy`` (so a new function cannot be forgotten).
Arguments are drawn by parameter *kind*: the kind comes from the parameter's name (``KIND_OF``) unless
the function overrides it (``OVERRIDES``). Each kind mixes valid, extreme-but-valid and invalid values.

The contract checked on every call: it returns within ``TIME_BOX`` seconds, raises nothing but
``ValueError``, ``TypeError`` or ``clrlib.DivergenceError``, a ``ValueError``'s message names one of the
call's arguments or the budget it refuses, and its result holds no NaN or infinity unless the function is
listed in ``NONFINITE_OK`` (documented there). Invariants (``check_*``) are
checked on valid results.

Profiles: ``make test`` runs a few derandomised examples per function (about a minute in all);
``CLRLIB_FUZZ=long`` (``make fuzz``) runs ``CLRLIB_FUZZ_EXAMPLES`` (default 2000) per function.
To add another module's functions: give each unmapped parameter a kind in ``KIND_OF`` or
``OVERRIDES``, and (optionally) an invariant in ``INVARIANTS``.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import signal
import warnings
from dataclasses import is_dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clrlib

LONG = os.environ.get("CLRLIB_FUZZ", "") == "long"
EXAMPLES = int(os.environ.get("CLRLIB_FUZZ_EXAMPLES", "2000")) if LONG else 6
TIME_BOX = float(os.environ.get("CLRLIB_FUZZ_TIME_BOX", "20"))  # seconds; generous for a loaded machine
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=False)

BAD = st.sampled_from([None, "a", "1.5", [], [1.0, "x"], float("nan"), float("inf"), -float("inf"), -1, 0,
                       True, complex(1, 1), object(), {"a": 1}])

# ----------------------------------------------------------------------------- kinds of arguments


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: float(10.0 ** e))


POS = st.one_of(log_uniform(1e-300, 1e300), st.sampled_from([1.0, 2.0, 0.5, 5e-324, 1e308, 1.0 + 1e-12]))
REAL = st.one_of(POS, POS.map(lambda v: -v), st.just(0.0))
EPS = st.one_of(log_uniform(5e-324, 0.999), st.sampled_from([5e-324, 1e-300, 1e-16, 1e-6, 0.5, 1 - 1e-16]))
SMALL_EPS = st.one_of(log_uniform(1e-12, 0.9), st.sampled_from([1e-6, 0.1]))
UNIT = st.floats(0.0, 0.999999)


@st.composite
def bimodal(draw, max_kappa: float = 1e300):
    mu = draw(st.one_of(log_uniform(1e-6, 1e6), st.just(1.0)))
    ks = draw(st.one_of(st.just(1.0), st.floats(1.0, 1.0 + 1e-11), log_uniform(1.0 + 1e-12, 1e6)))
    kl = draw(st.one_of(st.just(1.0), st.floats(1.0, 1.0 + 1e-11), log_uniform(1.0 + 1e-12, 1e6)))
    gap = draw(st.one_of(log_uniform(1.0 + 1e-12, 1e8), st.just(10.0)))
    mu1 = mu * ks
    L1 = mu1 * gap
    L = L1 * kl
    if not (mu <= mu1 < L1 <= L) or L / mu > max_kappa:
        return clrlib.Bimodal(1.0, 2.0, 100.0, 200.0)
    return clrlib.Bimodal(mu, mu1, L1, L)


@st.composite
def interval(draw):
    mu = draw(log_uniform(1e-6, 1e6))
    return clrlib.Interval(mu, mu * draw(st.one_of(st.just(1.0), log_uniform(1.0 + 1e-12, 1e12))))


def spectra(max_kappa: float = 1e300):
    return st.one_of(bimodal(max_kappa), bimodal(max_kappa), interval(),
                     st.just(clrlib.Spectrum([(1.0, 2.0), (3.0, 4.0), (10.0, 20.0)])),
                     st.just([(1.0, 2.0), (5.0, 9.0)]), BAD)


STEP_ARRAYS = st.one_of(
    st.lists(st.one_of(log_uniform(1e-6, 1e2), st.sampled_from([0.5, 0.5, 1.0])), min_size=1, max_size=40).map(np.array),
    st.lists(log_uniform(1e-300, 1e300), min_size=1, max_size=8).map(np.array),
    st.sampled_from([np.array([1.0, 0.5, 0.5, 0.25]), np.geomspace(1e-300, 1e300, 50), np.array([]),
                     np.array([1.0, -1.0]), np.array([np.nan]), "abc", None]),
)


def sizes(cap: int):
    return st.one_of(st.integers(0, cap), st.integers(0, 8), st.sampled_from([10**12, 2**62, 10**300, -1]),
                     st.sampled_from([1.5, "3", None, True]))


# a tiny network (2 inputs, 3 hidden, 2 classes; X and y come from the kinds "X" and "y", whose sizes agree
# one time in six): valid parameters, stacked ones, huge ones, and wrong ones
TINY_MLP = clrlib.MLP((2, 3, 2))
MODELS = st.sampled_from([TINY_MLP] * 5 + [None])
THETAS = st.one_of(st.just(TINY_MLP.init(0)), st.just(TINY_MLP.init(1, count=2)),
                   st.lists(REAL, min_size=TINY_MLP.n_params, max_size=TINY_MLP.n_params).map(np.array),
                   st.just(np.zeros(3)), st.just(None))
NET_DATA = {"X": st.one_of(st.just(np.linspace(-1.0, 1.0, 12).reshape(6, 2)),
                          st.integers(1, 6).map(lambda n: np.arange(2.0 * n).reshape(n, 2) / 7), BAD),
            "y": st.one_of(st.just(np.array([0, 1, 1, 0, 1, 0])),
                          st.lists(st.integers(0, 1), min_size=1, max_size=6).map(np.array), BAD)}

LAM = st.one_of(REAL, st.lists(REAL, max_size=20).map(np.array), BAD)
SEEDS = st.one_of(st.integers(0, 2**32), st.just(np.random.default_rng(0)), st.sampled_from([-1, "a", 1.5, None]))


@st.composite
def problems(draw):
    spec = draw(bimodal(1e8))
    eig = spec.sample(3, seed=draw(st.integers(0, 100)))
    return clrlib.Quadratic.from_eigenvalues(eig, seed=0, rotated=draw(st.booleans()))


PROBLEMS = st.one_of(problems(), st.sampled_from([None, np.eye(2), "a"]))


@st.composite
def runs(draw):
    errors = np.array(draw(st.lists(st.floats(0.0, 1e10), min_size=1, max_size=10)))
    return clrlib.Run(errors=errors, x=np.zeros(2))


@st.composite
def sym_exprs(draw):
    import sympy as sp

    x = sp.Symbol("x", positive=True)
    a, b, c = (sp.Rational(draw(st.integers(-5, 5)), draw(st.integers(1, 4))) for _ in range(3))
    return draw(st.sampled_from([a * x**2 + b * x + c, (x - a) ** 2 + c, a + b, x + c, a * x - b]))


def options(*good):
    return st.one_of(st.sampled_from(list(good)), st.sampled_from(["x", None, 3]))


#: The kind of an argument from its name (shared by every function unless overridden).
KIND_OF = {
    "spectrum": spectra(), "eps": EPS, "steps": STEP_ARRAYS, "cycle": STEP_ARRAYS, "schedule": STEP_ARRAYS,
    "T": sizes(2000), "K": sizes(50), "k": sizes(40), "n": sizes(50), "degree": sizes(40), "m": sizes(30),
    "every": sizes(5), "n_large": st.one_of(st.none(), sizes(10)), "n_plus": sizes(40), "n_minus": sizes(20),
    "grid": sizes(300), "maxit": sizes(40), "batch_size": sizes(8), "n_samples": sizes(40), "dim": sizes(10),
    "n_probes": sizes(4), "m_plus": sizes(100), "m_minus": sizes(100), "half_period": sizes(50),
    "total": sizes(200),
    "mu": POS, "L": POS, "lo": POS, "hi": POS, "mu1": POS, "L1": POS, "eta": POS, "eta_plus": POS,
    "eta_minus": POS, "alpha": POS, "step": POS, "kappa": st.one_of(POS.map(lambda v: 1.0 + v), POS),
    "rate": st.one_of(UNIT, REAL), "margin": st.one_of(UNIT, REAL), "beta": st.one_of(UNIT, REAL),
    "x": st.one_of(REAL, st.just(0.0)), "tol": st.one_of(POS, st.just(1e-9)), "overflow": st.one_of(st.just(1e150), POS),
    "noise": REAL, "ratio": POS, "sigma2": POS, "sigma": POS, "strength": st.one_of(REAL, LAM), "max_lr": POS,
    "base_lr": POS, "width": POS, "target": REAL, "ridge": REAL, "weight_decay": REAL, "div": POS,
    "final_div": POS, "cycle_fraction": st.one_of(UNIT, REAL), "momentum": st.one_of(UNIT, REAL),
    "lam": LAM, "eigenvalues": STEP_ARRAYS, "seed": SEEDS, "problem": PROBLEMS, "x0": st.none(),
    "x_star": st.none(), "dtype": st.sampled_from([np.float64, np.float32, np.int64, None]),
    "variant": options("book", "centred", "paper"), "method": options(*clrlib.METHODS),
    "how": options("leja", "fractal", "interleaved"), "first": options("smallest", "largest"),
    "order": options("increasing", "decreasing", "leja"), "run": st.one_of(runs(), BAD),
    "intervals": st.one_of(st.lists(st.tuples(POS, POS), max_size=3), BAD), "names": st.text(max_size=5),
    "strengths": st.one_of(STEP_ARRAYS, BAD), "expr": st.one_of(sym_exprs(), BAD), "c": st.one_of(sym_exprs(), BAD),
    "j": sizes(6), "name": st.text(max_size=8), "sizes": st.lists(st.integers(-1, 6), max_size=4),
    "X": st.one_of(st.integers(1, 6).map(lambda n: np.arange(2.0 * n).reshape(n, 2) / 7), BAD),
    "y": st.one_of(st.lists(st.integers(0, 1), min_size=1, max_size=6).map(np.array), BAD),
    "eigenvalues_": STEP_ARRAYS, "centre": st.booleans(), "above": st.booleans(), "stay": st.booleans(),
    "iterations": st.one_of(STEP_ARRAYS, BAD), "values": st.one_of(STEP_ARRAYS, BAD), "nodes": STEP_ARRAYS,
    "weights": STEP_ARRAYS, "replace": st.booleans(),
    "rtol": st.one_of(st.just(1e-5), POS, REAL), "max_steps": sizes(8),
    "max_block": st.one_of(st.none(), st.sampled_from([1, 2, 8, 64, 2**40, 3, 0, -4]), sizes(8)),
}

#: Per function, the kinds that differ from ``KIND_OF`` (or parameters only it has).
OVERRIDES = {
    "green_function": {"x": st.one_of(REAL, st.just(0.0))},
    "minimax": {"spectrum": spectra(1e6)},
    "minimax_iterations": {"spectrum": spectra(1e6), "eps": SMALL_EPS},
    "best_schedule": {"spectrum": spectra(1e6), "eps": SMALL_EPS},
    "minimax_lp": {"spectrum": spectra(1e4), "degree": sizes(12), "grid": sizes(200)},
    "cheb_per_cluster": {},  # closed-form search: the full ranges of spectra and eps
    "interval_point": {"lo": st.one_of(sym_exprs(), BAD), "hi": st.one_of(sym_exprs(), BAD)},
    "certify_abs_le": {"x": st.one_of(sym_exprs(), BAD)},
    "train": {"steps": sizes(5), "model": MODELS, "theta0": THETAS, "X_eval": st.none(),
              "y_eval": st.none(), "record_every": sizes(3), "snapshots": st.just(()), "batch_size": st.none(),
              "schedule": st.one_of(POS, STEP_ARRAYS)} | NET_DATA,
    "hessian_operator": {"model": MODELS, "theta": THETAS} | NET_DATA,
    "hessian_top_eigenvalues": {"model": MODELS, "theta": THETAS, "k": sizes(8)} | NET_DATA,
    "register": {"method": BAD},
    "rng": {},
    "log_worst_case": {"T": sizes(300)},
    "iterations": {"spectrum": spectra(1e12)},
    # PEP solves are SDPs (seconds each): short schedules, plus the invalid and extreme ones
    "pep_worst_case": {"steps": st.one_of(st.lists(log_uniform(1e-3, 3.0), min_size=1, max_size=4).map(np.array),
                                          st.sampled_from([np.array([]), np.array([1.0, -1.0]), np.array([np.nan]),
                                                           np.ones(40), np.array([1e300]), "abc", None])),
                       "mu": st.one_of(st.just(0.1), POS), "L": st.one_of(st.just(1.0), POS)},
}

#: Result records and classes that are not fuzzed as functions (their fields are results, not checked input).
RECORDS = {"BestCLR", "BestSchedule", "CLRParameters", "ClusterChebyshev", "CyclicalHeavyBall", "DivergenceError",
           "GreenBound", "MinimaxPolynomial", "MomentumCLR", "Run", "Schedule", "TrainResult", "TrainingRun",
           "MultiClusterCycle", "BimodalSymbols", "Method", "Quadratic", "PEPResult",
           "EquilibriumMeasure"}

#: Callables whose results may hold an infinity or NaN, and when (their docstrings say so).
NONFINITE_OK = {
    "residual": "inf beyond float64's range", "sup_residual": "inf beyond float64's range",
    "log_abs_residual": "-inf at a root",
    "log_sup_residual": "-inf when a step is a root at every point", "green_lower_bound": "tau is NaN for one interval",
    "log_worst_case": "-inf when kappa = 1", "log_chebyshev_worst_case": "-inf when kappa = 1",
    "log_heavy_ball_worst_case": "-inf when kappa = 1", "log_cyclical_worst_case": "-inf at an exact root",
    "log_sup_two_steps": "-inf at an exact root", "cycle_factor": "inf beyond float64's range",
    "Run.relative": "inf when x_0 = x* and the run moves",
    "clr_parameters": "large_amplification inf if L/mu1 overflows", "equilibrium_density": "inf at an end",
    "Quadratic.value": "inf beyond float64's range", "train": "accuracy is nan without an evaluation set",
}

#: Public methods of classes fuzzed like functions: name -> (object factory strategy, method name, kinds).
METHODS_OF = {
    "Spectrum.contains": (spectra(), "contains", {"lam": LAM}),
    "Spectrum.grid": (spectra(), "grid", {"n": sizes(50), "spacing": options("linear", "log")}),
    "Spectrum.sample": (spectra(), "sample", {"n": sizes(20), "seed": SEEDS}),
    "Quadratic.gradient": (problems(), "gradient", {"x": st.one_of(st.just(np.zeros(6)), LAM)}),
    "Quadratic.hvp": (problems(), "hvp", {"v": st.one_of(st.just(np.ones(6)), LAM)}),
    "Quadratic.value": (problems(), "value", {"x": st.one_of(st.just(np.ones(6)), LAM)}),
    "Schedule.steps": (st.sampled_from([clrlib.constant(0.1), clrlib.clr_schedule(1.0, 0.1, 3),
                                        clrlib.Explicit([0.1, 0.2])]), "steps", {"T": sizes(100)}),
    "Run.relative": (runs(), "relative", None),
    "GreenBound.bound": (st.just(clrlib.green_lower_bound(clrlib.Bimodal(1.0, 2.0, 10.0, 20.0), 1e-3)), "bound",
                         {"T": st.one_of(sizes(100), STEP_ARRAYS)}),
    "Bimodal.from_ratios": (st.just(clrlib.Bimodal), "from_ratios",
                            {"kappa": POS, "kappa_small": POS, "kappa_large": POS, "mu": POS}),
    "Quadratic.from_eigenvalues": (st.just(clrlib.Quadratic), "from_eigenvalues",
                                   {"eigenvalues": STEP_ARRAYS, "seed": SEEDS, "rotated": st.booleans()}),
    "style.color": (st.just(clrlib.style), "color", {"name": options(*clrlib.METHODS, "bound", "small")}),
    "style.sequential": (st.just(clrlib.style), "sequential", {"n": sizes(300)}),
}
_MEASURES = st.sampled_from([clrlib.equilibrium_measure(s) for s in (
    clrlib.Bimodal(1.0, 2.0, 10.0, 20.0), clrlib.Interval(1.0, 100.0), clrlib.Bimodal(1.0, 1.0 + 1e-9, 5.0, 1e6))])
METHODS_OF.update({
    "EquilibriumMeasure.density": (_MEASURES, "density", {"t": LAM}),
    "EquilibriumMeasure.cdf": (_MEASURES, "cdf", {"t": LAM}),
    "EquilibriumMeasure.ppf": (_MEASURES, "ppf", {"q": st.one_of(UNIT, LAM)}),
    "EquilibriumMeasure.quantiles": (_MEASURES, "quantiles", {"n": sizes(200)}),
    "EquilibriumMeasure.sample": (_MEASURES, "sample", {"n": sizes(200), "rng": SEEDS}),
})

ALLOWED = (ValueError, TypeError, clrlib.DivergenceError)

#: Contract failures found in modules owned by other helpers (not edited here); xfail(strict) so that
#: the entry must be removed once the module is fixed. name -> what the fuzz found.
KNOWN_FAILURES = {
}


def public_callables() -> list[str]:
    return sorted(n for n in clrlib.__all__ if callable(getattr(clrlib, n)) and n not in RECORDS)


def kinds_for(name: str) -> dict[str, st.SearchStrategy] | None:
    """Strategies for every parameter of ``clrlib.name``; None if one has no kind (the suite then fails)."""
    fn = getattr(clrlib, name)
    out = {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        kind = OVERRIDES.get(name, {}).get(p.name, KIND_OF.get(p.name))
        if kind is None:
            return None
        out[p.name] = kind
    return out


# ----------------------------------------------------------------------------- the contract


class TimeBoxExceeded(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only when a call is too slow
    raise TimeBoxExceeded(f"call exceeded the time box of {TIME_BOX} s")


def finite(value, depth: int = 0) -> bool:
    if depth > 4 or value is None or isinstance(value, (str, bool, type)):
        return True
    if isinstance(value, (int, np.integer)):
        return True
    if isinstance(value, (float, np.floating)):
        return math.isfinite(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.all(np.isfinite(value)))
    if isinstance(value, (tuple, list)):
        return all(finite(v, depth + 1) for v in value)
    if is_dataclass(value):
        return all(finite(getattr(value, f), depth + 1) for f in value.__dataclass_fields__)
    return True


def call(label: str, fn, args: dict):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_BOX)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                result = fn(**args)
    except ALLOWED as exc:
        STATS.setdefault(label, {}).setdefault(type(exc).__name__, 0)
        STATS[label][type(exc).__name__] += 1
        if isinstance(exc, ValueError) and not isinstance(exc, clrlib.DivergenceError):
            # the message names the argument (or the budget) it is about
            msg = str(exc)
            assert "budget" in msg or any(re.search(rf"\b{re.escape(a)}\b", msg) for a in args), \
                f"{label}({_show(args)}) raised a ValueError that names none of its arguments: {msg[:300]}"
        return None, exc
    except TimeBoxExceeded:
        raise AssertionError(f"{label}({_show(args)}) exceeded the time box of {TIME_BOX} s")
    except Exception as exc:  # the contract is broken
        raise AssertionError(f"{label}({_show(args)}) raised {type(exc).__name__}: {exc}") from exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    STATS.setdefault(label, {}).setdefault("ok", 0)
    STATS[label]["ok"] += 1
    if label not in NONFINITE_OK:
        assert finite(result), f"{label}({_show(args)}) returned a non-finite result {result!r:.300}"
    return result, None


def _show(args: dict) -> str:
    return ", ".join(f"{k}={v!r:.120}" for k, v in args.items())


STATS: dict[str, dict[str, int]] = {}

# ----------------------------------------------------------------------------- invariants


def _inside(spec, seed: int = 0) -> np.ndarray:
    pts = [x for iv in spec.intervals for x in iv]
    pts += list(spec.sample(3, seed=seed, endpoints=False)) if all(lo < hi for lo, hi in spec.intervals) else []
    return np.array(pts)


def check_sup_residual(args, result):
    spec = clrlib.as_spectrum(args["spectrum"])
    log_sup = clrlib.log_sup_residual(args["steps"], spec)
    logs = clrlib.log_abs_residual(args["steps"], _inside(spec))
    if log_sup == -math.inf:  # p vanishes on all of E (a point spectrum at a root): so must every |residual|
        assert np.all(logs == -math.inf), "sup_residual = 0 but a residual on E is not"
        return
    assert np.all(logs <= log_sup + 1e-9 * (1 + abs(log_sup))), "sup_residual < |residual| at a point of E"


def check_order(args, result):
    assert np.array_equal(np.sort(result), np.sort(np.asarray(args["steps"], float))), "not a permutation"


def check_green(args, result):
    assert abs(sum(result.harmonic_measure) - 1.0) < 1e-12, "harmonic measures do not sum to one"
    assert result.rate < 1.0 and result.iterations >= 0


def check_iterations(args, T):
    m = clrlib.METHODS[args["method"]]
    if m.log_worst_case is None or T > 10**6:
        return
    log_eps = math.log(args["eps"])
    w = m.log_worst_case(clrlib.as_spectrum(args["spectrum"]), T, args["eps"])
    assert w <= log_eps + 1e-9 * (1 + abs(log_eps)), f"{args['method']}: W_T > eps at the count T = {T}"
    if m.monotone and T >= 1:
        w1 = m.log_worst_case(clrlib.as_spectrum(args["spectrum"]), T - 1, args["eps"])
        assert w1 > log_eps - 1e-9 * (1 + abs(log_eps)), f"{args['method']}: T - 1 = {T - 1} already reaches eps"


def check_clr_parameters(args, p):
    assert p.K <= p.K_bound + 1e-9 and p.iterations <= p.iteration_bound * (1 + 1e-12), "theorem's bound broken"
    if p.iterations <= 20_000:
        assert clrlib.log_sup_residual(p.schedule().steps(p.iterations), args["spectrum"]) <= math.log(args["eps"]) + 1e-9


def check_minimax(args, M):
    assert M.lower <= M.sup * (1 + 1e-9), "certified lower bound above the sup"


def check_certify(args, ok):
    import sympy as sp

    if not ok:
        return
    expr = sp.sympify(args["expr"])          # an int is an exact expression too (certify_nonnegative(0) is True)
    for v in (sp.Rational(1, 7), 1, 3, 100):
        val = expr.subs({s: v for s in expr.free_symbols})
        assert val >= 0, "certify_nonnegative certified a negative expression"


def check_equilibrium(args, m):
    assert abs(sum(m.masses) - 1.0) < 1e-9, "equilibrium masses do not sum to one"
    ends = [x for iv in clrlib.as_spectrum(args["spectrum"]).intervals for x in iv]
    c = m.cdf(np.array(ends))
    assert np.all(np.diff(c) >= -1e-12) and abs(c[0]) < 1e-9 and abs(c[-1] - 1.0) < 1e-9, "cdf not a distribution"


def check_pep(args, r):
    steps = np.asarray(args["steps"], float)
    mu, L = float(args["mu"]), float(args["L"])
    closed = max(np.prod(np.maximum(np.abs(1 - steps * mu), np.abs(1 - steps * L))) ** 2, 0.0)
    assert r.value <= closed * (1 + 1e-4) + 1e-8, "PEP worst case above the product of the step factors"


INVARIANTS = {"sup_residual": check_sup_residual, "order_steps": check_order, "green_lower_bound": check_green,
              "iterations": check_iterations, "clr_parameters": check_clr_parameters, "minimax": check_minimax,
              "certify_nonnegative": check_certify, "equilibrium_measure": check_equilibrium,
              "pep_worst_case": check_pep}

# ----------------------------------------------------------------------------- the tests


def test_every_callable_has_a_strategy():
    missing = {n: [p for p in inspect.signature(getattr(clrlib, n)).parameters
                   if p not in KIND_OF and p not in OVERRIDES.get(n, {})]
               for n in public_callables() if kinds_for(n) is None}
    assert not missing, f"give these parameters a kind in tests/test_fuzz.py (KIND_OF or OVERRIDES): {missing}"


@pytest.mark.parametrize("name", public_callables())
def test_contract(name):
    kinds = kinds_for(name)
    if kinds is None:
        pytest.fail(f"{name} has no fuzz strategy (see test_every_callable_has_a_strategy)")
    fn = getattr(clrlib, name)

    @SETTINGS
    @given(st.fixed_dictionaries(kinds))
    def run(args):
        result, exc = call(name, fn, args)
        if exc is None and name in INVARIANTS:
            INVARIANTS[name](args, result)

    if name not in KNOWN_FAILURES:
        run()
        return
    try:
        run()
    except Exception as exc:  # hypothesis may raise an ExceptionGroup
        pytest.xfail(f"known contract failure, owned elsewhere: {KNOWN_FAILURES[name]} ({type(exc).__name__})")
    if LONG:  # the default profile may simply not reach the failing input
        pytest.fail(f"{name} now keeps the contract: remove it from KNOWN_FAILURES")


@pytest.mark.parametrize("label", sorted(METHODS_OF))
def test_methods_contract(label):
    factory, attr, kinds = METHODS_OF[label]

    @SETTINGS
    @given(factory, st.fixed_dictionaries(kinds or {}))
    def run(obj, args):
        if not hasattr(obj, attr):
            return
        if kinds is None:
            call(label, lambda: getattr(obj, attr), {})
        else:
            call(label, getattr(obj, attr), args)

    run()


@pytest.mark.parametrize("method", sorted(clrlib.METHODS))
def test_registry_entries(method):
    entry = clrlib.METHODS[method]
    assert entry.label and entry.color.startswith("#") and entry.needs in ("interval", "clusters")
    if not entry.has_count:
        return
    spec_kind = OVERRIDES["iterations"]["spectrum"] if method != "minimax" else spectra(1e6)
    eps_kind = SMALL_EPS if method == "minimax" else EPS

    @SETTINGS
    @given(spec_kind, eps_kind)
    def run(spectrum, eps):
        args = {"method": method, "spectrum": spectrum, "eps": eps}
        T, exc = call(f"iterations[{method}]", clrlib.iterations, args)
        if exc is None:
            assert isinstance(T, int) and T >= 0
            check_iterations(args, T)

    run()


def test_boundaries():
    """The extreme but valid inputs of issue 16 get a correct answer or a budget refusal."""
    B = clrlib.Bimodal
    assert clrlib.gd_iterations(1e300, 0.5) > 10**299
    assert abs(float(clrlib.log_abs_residual(np.array([1e300]), 1e300)) - 1381.551055796427) < 1e-9
    assert clrlib.sup_residual(np.geomspace(1e-300, 1e300, 50), clrlib.Interval(1.0, 1e300)) == math.inf
    assert math.isfinite(clrlib.log_sup_residual(np.geomspace(1e-300, 1e300, 50), clrlib.Interval(1.0, 1e300)))
    assert clrlib.iterations("clr_momentum", B(78.86, 78.86, 18337.6, 18337.6), 0.0826) >= 1
    for spec, eps in [(B(1.0, 2.0, 3.0, 3e17), 1e-16), (B(0.0229, 22864.0, 228639.0, 2.29e11), 5e-324),
                      (B(0.22448425887531018, 224484.2588753102, 2244842.588753102, 2244842588753.102), 1e-3)]:
        with pytest.raises(ValueError, match="float64"):
            clrlib.clr_parameters(spec, eps)
    with pytest.raises(ValueError, match="clr_best|grid"):
        clrlib.iterations("clr_best", B(1.0, 2.0, 3.0, 3e15), 8.5e-9)
    assert abs(sum(clrlib.green_lower_bound(B(1.0, 1.0 + 1e-12, 10.0, 20.0), 1e-6).harmonic_measure) - 1) < 1e-15
    assert np.array_equal(np.sort(clrlib.order_steps(np.array([1.0, 0.5, 0.5, 0.25]))), [0.25, 0.5, 0.5, 1.0])
    with pytest.raises(ValueError, match="MAX_STEPS"):
        clrlib.constant(0.1).steps(10**12)
    with pytest.raises(ValueError, match="lam"):
        clrlib.Interval(1, 2).contains("a")
    assert np.all(clrlib.Run(np.zeros(3), np.zeros(2)).relative == 0)
    for fn, args in [(clrlib.minimax_iterations, (B(1, 2, 1e4, 1e6), 1e-12)),
                     (clrlib.best_schedule, (B(1, 2, 1e4, 1e6), 1e-12)),
                     (clrlib.cheb_per_cluster, (B(1, 1e3, 1e4, 1e8), 1e-12)),
                     (clrlib.clr_best_parameters, (B(1, 1e3, 1e4, 1e8), 1e-12))]:
        with pytest.raises(ValueError, match="MAX_|budget"):
            fn(*args)
    # kappa_s, kappa_l within 1e-12 of 1 and eps at the smallest float: answers, not errors
    for spec in (B(1.0, 1.0 + 1e-12, 10.0, 20.0), B(1.0, 2.0, 10.0, 10.0 * (1 + 1e-12))):
        p = clrlib.clr_parameters(spec, 5e-324)
        assert p.iterations <= p.iteration_bound
        assert clrlib.iterations("clr", spec, 5e-324) <= p.iterations


def teardown_module(module):
    path = os.environ.get("CLRLIB_FUZZ_REPORT")
    if path:
        worker = os.environ.get("PYTEST_XDIST_WORKER")  # one report per xdist worker
        path = f"{path}.{worker}" if worker else path
        import json

        with open(path, "w") as f:
            json.dump(STATS, f, indent=1, sort_keys=True)
