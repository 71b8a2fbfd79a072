"""Passes over the firm table that firm planning, firm demography and the loan lever make every month.

Each is a few arithmetic steps per firm (no exp, log or power: those stay in numpy, whose results the
model's numbers are fixed on). With numba one compiled loop replaces several numpy calls over ~15,000
rows; without it, or with ``TALENTSIM_NUMBA=0``, the numpy twin of each kernel gives identical numbers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sim.kernels import USING_NUMBA, compiled

# The upper bound on a firm's exit hazard is widened by this relative margin, far above the few units
# in the last place by which it and the exact hazard's rounding can differ, so that it is a bound.
HAZARD_BOUND_MARGIN = 1.0 + 1e-6
# size-factor bounds cover jobs below 2**61; a larger (or infinite) firm is always checked exactly
SIZE_BOUND_EXPONENTS = 62


# ---------------------------------------------------------------- numpy path
def _productivity_walk_numpy(lp, lr, shock, persistence, shock_sd, spillover, sector, job_response):
    lp[:] = lr + persistence * (lp - lr) + shock_sd * shock
    return job_response * ((lp - lr) + spillover[sector])


def _funded_output_ratio_numpy(jobs, output_per_job, funding):
    funded = np.flatnonzero(funding != 0)
    annual_output = np.maximum(jobs[funded] * output_per_job[funded], 1.0)
    return funded, funding[funded] / annual_output


def _cluster_sums_numpy(sector, values, in_business, n_sectors):
    rows = np.flatnonzero(in_business)
    grouped = sector[rows]
    return np.bincount(grouped, minlength=n_sectors)[:n_sectors], np.bincount(grouped, weights=values[rows], minlength=n_sectors)[:n_sectors]


def _monthly_output_numpy(jobs, output_per_job, productivity, alive):
    return jobs * output_per_job * productivity / 12.0 * alive


def _exit_candidates_numpy(jobs, born, funding, draw, in_business, month, youth, size_bound, base, selection, reduction, ticket):
    rows = np.flatnonzero(in_business)
    age = np.maximum(month - born[rows].astype(np.int64), 0)
    backed = 1.0 - reduction * np.minimum(funding[rows] / ticket, 1.0)
    youth_backed = youth[age] * backed
    coef = np.maximum(base * youth_backed, (base + selection) * youth_backed)
    x = np.where(jobs[rows] > 1.0, jobs[rows], 1.0)
    exponent = np.frexp(x)[1]
    sized = np.isfinite(x) & (exponent < len(size_bound))
    bound = np.where(sized, size_bound[np.where(sized, exponent, 0)], np.inf)
    return rows[(coef > 0) & (draw[rows] < coef * bound * HAZARD_BOUND_MARGIN / 12.0)]


def _promotion_candidates_numpy(in_business, is_little_giant, born, born_before, draw, below):
    return np.flatnonzero(in_business & ~is_little_giant & (born < born_before) & (draw < below))


def _loan_weights_numpy(funding, jobs, alive, is_project, is_little_giant, decay):
    funding *= decay
    target = alive & (is_project | is_little_giant)
    return jobs * target, bool(target.any())


def _add_loans_numpy(funding, weights, new_loans, total):
    funding += new_loans * weights / total


def _order_statistics_numpy(values, low, high):
    part = np.partition(values, high)  # one pivot: several times faster than partitioning at [low, high]
    upper = part[high]
    lower = part[:high].max() if high > low else upper  # the low-th smallest is the largest below the pivot
    return float(lower), float(upper)


def _credit_solved_demands_numpy(log_productivity, long_run, demands_solved, firms, gain):
    np.add.at(log_productivity, firms, gain)
    np.add.at(long_run, firms, gain)
    np.add.at(demands_solved, firms, 1)


# ---------------------------------------------------------------- numba path
def _productivity_walk_loop(lp, lr, shock, persistence, shock_sd, spillover, sector, job_response):
    exponent = np.empty(lp.shape[0])
    for i in range(lp.shape[0]):
        lp[i] = lr[i] + persistence * (lp[i] - lr[i]) + shock_sd * shock[i]
        exponent[i] = job_response * ((lp[i] - lr[i]) + spillover[sector[i]])
    return exponent


def _funded_output_ratio_loop(jobs, output_per_job, funding):
    # the funded rows first, without a branch, then the ratio for them only: most firms have no funding
    funded = np.empty(funding.shape[0], np.int64)
    n = 0
    for i in range(funding.shape[0]):
        funded[n] = i
        n += funding[i] != 0
    ratio = np.empty(n)
    for k in range(n):
        i = funded[k]
        annual_output = jobs[i] * output_per_job[i]
        if not (annual_output >= 1.0 or annual_output != annual_output):  # np.maximum keeps a NaN
            annual_output = 1.0
        ratio[k] = funding[i] / annual_output
    return funded[:n].copy(), ratio


def _cluster_sums_loop(sector, values, in_business, n_sectors):
    # firms come in long runs of one cluster: a run's sum is kept in a register and stored when the
    # cluster changes, so that each add need not wait for the previous one to reach memory (the order
    # of the adds within each cluster, and so every bit of the sums, is that of the rows)
    n_firms = np.zeros(n_sectors, np.int64)
    sums = np.zeros(n_sectors)
    current, run_n, run_sum = -1, 0, 0.0
    for i in range(sector.shape[0]):
        if in_business[i]:
            s = sector[i]
            if s != current:
                if current >= 0:
                    n_firms[current], sums[current] = run_n, run_sum
                current, run_n, run_sum = s, n_firms[s], sums[s]
            run_n += 1
            run_sum += values[i]
    if current >= 0:
        n_firms[current], sums[current] = run_n, run_sum
    return n_firms, sums


def _monthly_output_loop(jobs, output_per_job, productivity, alive):
    output = np.empty(jobs.shape[0])
    for i in range(jobs.shape[0]):
        output[i] = jobs[i] * output_per_job[i] * productivity[i] / 12.0 * (1.0 if alive[i] else 0.0)
    return output


def _exit_candidates_loop(jobs, born, funding, draw, in_business, month, youth, size_bound, base, selection, reduction, ticket):
    rows = np.empty(jobs.shape[0], np.int64)
    jobs_bits = jobs.view(np.int64)
    n = 0
    for i in range(jobs.shape[0]):
        if not in_business[i]:
            continue
        age = max(month - np.int64(born[i]), 0)
        backed = 1.0 - reduction * min(funding[i] / ticket, 1.0)
        youth_backed = youth[age] * backed
        coef = max(base * youth_backed, (base + selection) * youth_backed)
        if not coef > 0:
            continue
        # the binary exponent of max(jobs, 1) as np.frexp gives it, read off the bits (frexp is a slow call):
        # jobs in [2**(e-1), 2**e) has the biased exponent e + 1022
        exponent = 1
        if jobs[i] > 1.0:
            exponent = ((jobs_bits[i] >> 52) & 0x7FF) - 1022
        bound = size_bound[exponent] if exponent < size_bound.shape[0] else np.inf
        if draw[i] < coef * bound * HAZARD_BOUND_MARGIN / 12.0:
            rows[n] = i
            n += 1
    return rows[:n].copy()


def _promotion_candidates_loop(in_business, is_little_giant, born, born_before, draw, below):
    rows = np.empty(born.shape[0], np.int64)
    n = 0
    for i in range(born.shape[0]):
        if draw[i] < below:  # the rarest condition first: the branch is then almost always foreseen
            if in_business[i] and not is_little_giant[i] and born[i] < born_before:
                rows[n] = i
                n += 1
    return rows[:n].copy()


def _loan_weights_loop(funding, jobs, alive, is_project, is_little_giant, decay):
    weights = np.empty(jobs.shape[0])
    any_target = False
    for i in range(jobs.shape[0]):
        funding[i] *= decay
        target = alive[i] and (is_project[i] or is_little_giant[i])
        any_target = any_target or target
        weights[i] = jobs[i] * (1.0 if target else 0.0)
    return weights, any_target


def _add_loans_loop(funding, weights, new_loans, total):
    for i in range(funding.shape[0]):
        funding[i] += new_loans * weights[i] / total


def _credit_solved_demands_loop(log_productivity, long_run, demands_solved, firms, gain):
    for k in range(firms.shape[0]):  # a firm with several solved demands gains once for each, in order
        f = firms[k]
        log_productivity[f] += gain
        long_run[f] += gain
        demands_solved[f] += 1


_productivity_walk_numba = compiled(_productivity_walk_loop)
_credit_solved_demands_numba = compiled(_credit_solved_demands_loop)
_funded_output_ratio_numba = compiled(_funded_output_ratio_loop)
_cluster_sums_numba = compiled(_cluster_sums_loop)
_monthly_output_numba = compiled(_monthly_output_loop)
_exit_candidates_numba = compiled(_exit_candidates_loop)
_promotion_candidates_numba = compiled(_promotion_candidates_loop)
_loan_weights_numba = compiled(_loan_weights_loop)
_add_loans_numba = compiled(_add_loans_loop)


# ---------------------------------------------------------------- public kernels
def productivity_walk(*, log_productivity: np.ndarray, long_run: np.ndarray, shock: np.ndarray, persistence: float, shock_sd: float,
                      spillover: np.ndarray, sector: np.ndarray, job_response: float) -> np.ndarray:
    """In place, every firm's log productivity reverts towards its long-run level (keeping ``persistence`` of the
    gap) and takes its ``shock``; returns the log of the firm's productivity factor of desired jobs,
    ``job_response x (own gap + cluster spillover)``."""
    kernel = _productivity_walk_numba if USING_NUMBA else _productivity_walk_numpy
    return kernel(log_productivity, long_run, shock, float(persistence), float(shock_sd), spillover, sector, float(job_response))


def funded_output_ratio(*, jobs: np.ndarray, output_per_job: np.ndarray, funding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of funded firms, and each one's funding relative to its annual output at unit productivity (at least one yuan)."""
    kernel = _funded_output_ratio_numba if USING_NUMBA else _funded_output_ratio_numpy
    return kernel(jobs, output_per_job, funding)


def cluster_sums(*, sector: np.ndarray, values: np.ndarray, in_business: np.ndarray, n_sectors: int) -> tuple[np.ndarray, np.ndarray]:
    """Firms in business by cluster, and the sum of their ``values`` (float64), added in row order."""
    kernel = _cluster_sums_numba if USING_NUMBA else _cluster_sums_numpy
    return kernel(sector, values, in_business, int(n_sectors))


def cluster_mean_productivity(*, sector: np.ndarray, log_productivity: np.ndarray, in_business: np.ndarray, n_sectors: int) -> np.ndarray:
    """Mean log productivity of the firms in business, by cluster (0 for a cluster without any), added in row order."""
    n_firms, lp_sum = cluster_sums(sector=sector, values=log_productivity, in_business=in_business, n_sectors=n_sectors)
    return lp_sum / np.maximum(n_firms, 1).astype(np.float64)


def monthly_output(*, jobs: np.ndarray, output_per_job: np.ndarray, productivity: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Each firm's gross output in a month, yuan: ``jobs x output_per_job x productivity / 12``, zero for closed firms."""
    kernel = _monthly_output_numba if USING_NUMBA else _monthly_output_numpy
    return kernel(jobs, output_per_job, productivity, alive)


@lru_cache(maxsize=64)
def size_factor_bounds(*, reference_jobs: float, elasticity: float) -> np.ndarray:
    """For each binary exponent e, the largest size factor ``(jobs / reference_jobs) ** -elasticity`` of jobs in
    [2**(e-1), 2**e]: the factor is monotone in jobs, so it is the larger of the two ends (read-only, shared)."""
    edges = 2.0 ** np.arange(-1, SIZE_BOUND_EXPONENTS, dtype=float)
    factor = (edges / reference_jobs) ** -elasticity
    bound = np.maximum(factor[:-1], factor[1:])
    bound.flags.writeable = False
    return bound


def exit_candidates(*, jobs: np.ndarray, born: np.ndarray, funding: np.ndarray, draw: np.ndarray, in_business: np.ndarray, month: int,
                    youth: np.ndarray, size_bound: np.ndarray, base: float, selection: float, reduction: float, ticket: float) -> np.ndarray:
    """Rows of firms in business whose exit draw falls below an upper bound of their exit hazard: every firm that
    can close this month, and a few that will not once their exact hazard is computed.

    The bound is the hazard with the selection term counted where it raises the hazard (``base`` plus ``selection``
    per year, or ``base`` alone) and the size factor at the end of the firm's binary order of magnitude of jobs
    that gives the larger one (``size_bound``, from :func:`size_factor_bounds`); ``youth`` is the age factor by
    whole months of age and funding lowers it by ``reduction`` per start-up ``ticket``, as in the exact hazard.
    """
    kernel = _exit_candidates_numba if USING_NUMBA else _exit_candidates_numpy
    return kernel(jobs, born, funding, draw, in_business, int(month), youth, size_bound, float(base), float(selection), float(reduction),
                  float(ticket))


def promotion_candidates(*, in_business: np.ndarray, is_little_giant: np.ndarray, born: np.ndarray, born_before: float, draw: np.ndarray,
                         below: float) -> np.ndarray:
    """Rows of firms in business, not yet little giants, born before ``born_before``, whose draw falls below ``below``."""
    kernel = _promotion_candidates_numba if USING_NUMBA else _promotion_candidates_numpy
    return kernel(in_business, is_little_giant, born, float(born_before), draw, float(below))


def loan_weights(*, funding: np.ndarray, jobs: np.ndarray, alive: np.ndarray, is_project: np.ndarray, is_little_giant: np.ndarray,
                 decay: float) -> tuple[np.ndarray, bool]:
    """In place, every firm's funding decays by ``decay``; returns the firms' shares of new loans before
    normalising (jobs of the live leading-talent projects and little giants, zero elsewhere) and whether there is any such firm."""
    kernel = _loan_weights_numba if USING_NUMBA else _loan_weights_numpy
    return kernel(funding, jobs, alive, is_project, is_little_giant, float(decay))


def add_loans(*, funding: np.ndarray, weights: np.ndarray, new_loans: float, total: float) -> None:
    """In place, every firm's funding gains ``new_loans x weight / total``."""
    kernel = _add_loans_numba if USING_NUMBA else _add_loans_numpy
    kernel(funding, weights, float(new_loans), float(total))


def credit_solved_demands(*, log_productivity: np.ndarray, long_run: np.ndarray, demands_solved: np.ndarray, firms: np.ndarray,
                          gain: float) -> None:
    """In place, each solved demand raises its firm's log productivity and long-run level by ``gain`` and counts as solved
    (``firms`` holds a firm once per demand)."""
    kernel = _credit_solved_demands_numba if USING_NUMBA else _credit_solved_demands_numpy
    kernel(log_productivity, long_run, demands_solved, np.ascontiguousarray(firms, dtype=np.int64), float(gain))


def order_statistics(values: np.ndarray, *, low: int, high: int) -> tuple[float, float]:
    """The ``low``-th and ``high``-th smallest of ``values`` (counting from 0; ``high`` is ``low`` or ``low + 1``), as
    ``np.partition`` orders them (a NaN counts as the largest)."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"order statistics: values must be one-dimensional, not of shape {values.shape}")
    if not 0 <= low <= high <= min(low + 1, len(values) - 1):
        raise ValueError(f"order statistics: need 0 <= low <= high <= low + 1 < {len(values)}, not low={low}, high={high}")
    # numpy's partition, not a compiled quickselect: over the model's own arrays, each new to the branch predictor, a
    # quickselect took longer (123 against 107 us a month); it looked four times faster only on one array timed again
    return _order_statistics_numpy(values, int(low), int(high))
