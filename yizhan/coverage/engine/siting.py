"""Siting (issue 18 §5): the maximal covering location problem (MCLP: k new sites covering the
most demand not yet covered) and set covering (the fewest new sites reaching a target coverage).

Both come twice: a greedy answer at once, with the gap to a proved bound, and an exact answer from
HiGHS within a time limit, with HiGHS's own proved gap when the limit stops it.

- Existing stations count: demand they already reach is worth nothing to a new site (MCLP) and
  counts towards the target (set covering).
- Greedy picks, each round, the candidate adding the most uncovered demand; ties go to the lower
  candidate index. Gains are exact sums (`math.fsum`), so ties are real ties and the same inputs
  always give the same picks. Lazy evaluation (a candidate's gain only falls as others are picked)
  returns the same picks as evaluating every candidate every round.
- Greedy's bound (MCLP): the optimum is at most the LP relaxation's value, and at most
  greedy ÷ (1 − (1 − 1/k)^k) (Nemhauser, Wolsey & Fisher 1978: coverage is monotone submodular);
  the smaller one is reported, so gap = 1 − greedy ÷ bound ≥ the true gap 1 − greedy ÷ optimum.
- The model is built sparse and small: demand points no candidate reaches or already covered drop
  out; points reached by the same candidates merge into one coverage variable with their summed
  weight; points reached by a single candidate need no variable (their weight goes to that
  candidate's objective coefficient). Coverage variables are continuous in [0, 1] (at an integer
  choice of sites the optimum sets them to 0 or 1 anyway). Weights are scaled to shares of all
  demand, so solver tolerances are relative to the whole.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
from django.utils.translation import gettext_lazy as _
from scipy import sparse

from yizhan.coverage.engine.progress import SILENT, Progress

# LP values are inflated by this much (relative) before serving as a bound: the solver's optimum
# is exact only within its tolerances, and a bound must never be below the truth.
LP_BOUND_SLACK = 1e-7

STATUS_OPTIMAL = "optimal"
STATUS_TIME_LIMIT = "time_limit"
STATUS_INTERRUPTED = "interrupted"

PICKING = _("贪心选址")
SOLVING_LP = _("求解线性松弛（上界）")
IMPROVING = _("交换改进")
SEARCHING = _("在最有希望的候选点中搜索更优解")
BOUNDING = _("计算拉格朗日上界")
SOLVING_MIP = _("精确求解（HiGHS）")


@dataclass(frozen=True)
class SitingProblem:
    """Demand weights, which candidates reach which demand (demand × candidates, CSC), what existing
    stations already reach, and the total demand weight shares are counted against."""

    weights: np.ndarray
    cover: sparse.csc_matrix
    already: np.ndarray  # bool per demand point
    total_weight: float

    @property
    def n_candidates(self) -> int:
        return self.cover.shape[1]

    @property
    def open_weights(self) -> np.ndarray:
        """Weights of the demand no existing station reaches (0 where one does)."""
        return np.where(self.already, 0.0, self.weights)


def siting_problem(weights, cover: sparse.spmatrix, already=None) -> SitingProblem:
    """A problem from demand weights, a demand × candidates reach matrix and what existing stations
    reach (bool per point; none when omitted)."""
    weights = np.asarray(weights, dtype=np.float64)
    cover = sparse.csc_matrix(cover, dtype=np.float64)
    cover.sum_duplicates()
    cover.sort_indices()
    already = np.zeros(len(weights), dtype=bool) if already is None else np.asarray(already, dtype=bool)
    return SitingProblem(weights, cover, already, math.fsum(weights))


@dataclass(frozen=True)
class SitingAnswer:
    """Chosen candidates (greedy: in the order picked; exact: ascending), the new demand weight they
    cover, the proved bound (MCLP: upper bound on the weight; set covering: lower bound on the number
    of sites) and the relative gap to it."""

    method: str  # "greedy" or "exact"
    chosen: list[int]
    covered_weight: float
    bound: float
    gap: float
    status: str = STATUS_OPTIMAL
    seconds: float = 0.0
    gains: list[float] = field(default_factory=list)  # greedy: weight each pick added
    # Which proof the bound comes from: "greedy" (submodularity), "lagrangian" (the LP bound),
    # "highs" (HiGHS's own dual bound) or "optimal" (nothing left to cover).
    bound_by: str = "greedy"
    # The exact stage's steps in figures (weights, counts, HiGHS's own report), for the record.
    details: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.chosen)


def newly_covered_weight(problem: SitingProblem, chosen) -> float:
    """The demand weight that `chosen` candidates reach and no existing station does (exact sum)."""
    chosen = np.asarray(list(chosen), dtype=np.int64)
    if len(chosen) == 0:
        return 0.0
    reached = np.zeros(len(problem.weights), dtype=bool)
    cover = problem.cover
    for j in chosen:
        reached[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = True
    return math.fsum(problem.weights[reached & ~problem.already])


def marginal_gains(problem: SitingProblem, chosen) -> list[float]:
    """The demand weight each of `chosen` adds, in their order, over what existing stations and the
    sites before it reach; the gains add up to `newly_covered_weight(problem, chosen)`."""
    remaining = problem.open_weights.copy()
    cover = problem.cover
    gains = []
    for j in chosen:
        reached = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
        gains.append(math.fsum(remaining[reached]))
        remaining[reached] = 0.0
    return gains


class _Greedy:
    """Lazy greedy over the candidates: pick() returns the next candidate and its gain."""

    def __init__(self, problem: SitingProblem):
        self.problem = problem
        self.remaining = problem.open_weights.copy()
        cover = problem.cover
        self.indptr, self.indices = cover.indptr, cover.indices
        self.heap = [(-self.gain(j), j, 0) for j in range(problem.n_candidates)]
        heapq.heapify(self.heap)
        self.round = 0

    def gain(self, j: int) -> float:
        return math.fsum(self.remaining[self.indices[self.indptr[j] : self.indptr[j + 1]]])

    def pick(self) -> tuple[int, float] | None:
        while self.heap:
            negative_gain, j, evaluated_in = heapq.heappop(self.heap)
            if evaluated_in == self.round:
                if negative_gain == 0:
                    return None
                self.remaining[self.indices[self.indptr[j] : self.indptr[j + 1]]] = 0.0
                self.round += 1
                return j, -negative_gain
            heapq.heappush(self.heap, (-self.gain(j), j, self.round))
        return None


def mclp_greedy(problem: SitingProblem, k: int, *, progress: Progress = SILENT) -> SitingAnswer:
    """Greedy MCLP with its proved gap (the LP bound is added by `mclp_bound`; until then the
    submodularity bound alone)."""
    started = time.perf_counter()
    greedy = _Greedy(problem)
    chosen, gains = [], []
    for step in range(k):
        progress(step, k, PICKING)
        picked = greedy.pick()
        if picked is None:
            break
        chosen.append(picked[0])
        gains.append(picked[1])
    covered = newly_covered_weight(problem, chosen)
    bound = _greedy_bound(problem, covered, k, len(chosen))
    return SitingAnswer(
        "greedy", chosen, covered, bound, _max_gap(bound, covered), seconds=time.perf_counter() - started, gains=gains
    )


def _greedy_bound(problem: SitingProblem, covered: float, k: int, picked: int) -> float:
    reachable = _reachable_weight(problem)
    if picked < k:
        # Greedy stopped because nothing uncovered was left within reach: it covers all it can.
        return covered
    factor = 1 - (1 - 1 / k) ** k
    return min(reachable, covered / factor)


def _reachable_weight(problem: SitingProblem) -> float:
    reached = np.zeros(len(problem.weights), dtype=bool)
    reached[problem.cover.indices] = True
    return math.fsum(problem.weights[reached & ~problem.already])


def _max_gap(bound: float, value: float) -> float:
    return max(0.0, (bound - value) / bound) if bound > 0 else 0.0


def _min_gap(bound: float, count: int) -> float:
    return max(0.0, (count - bound) / count) if count > 0 else 0.0


# ------------------------------------------------------------------------------- the sparse model


@dataclass(frozen=True)
class _Model:
    """The reduced model: x_j per model column with objective coefficient `single[j]`, y_g per group
    of demand reached by the same two or more columns (`groups`: groups × columns, CSR) with weight
    `group_weight[g]`; weights in shares of all demand. `columns` maps model columns to candidate
    indices; `offset` is the share already covered by candidates fixed in (outside the model)."""

    single: np.ndarray
    group_weight: np.ndarray
    groups: sparse.csr_matrix
    scale: float  # weight = share × scale
    columns: np.ndarray
    offset: float = 0.0


def _reduced_model(problem: SitingProblem, *, columns=None, fixed=()) -> _Model:
    """The sparse model over `columns` (all candidates when None), with the candidates `fixed` in
    counted as chosen: the demand they reach leaves the model and its share becomes the offset.
    Every reduction keeps the optimum's value: demand nothing reaches drops out, identical coverage
    patterns merge (one y with the summed weight), single-column demand goes to that column's
    objective coefficient."""
    weights = problem.open_weights
    scale = problem.total_weight if problem.total_weight > 0 else 1.0
    offset = 0.0
    fixed = np.asarray(list(fixed), dtype=np.int64)
    if len(fixed):
        reached = np.zeros(len(weights), dtype=bool)
        cover = problem.cover
        for j in fixed:
            reached[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = True
        offset = math.fsum(weights[reached]) / scale
        weights = np.where(reached, 0.0, weights)
    if columns is None:
        columns = np.arange(problem.n_candidates)
        rows = problem.cover.tocsr()
    else:
        columns = np.unique(np.asarray(columns, dtype=np.int64))
        rows = problem.cover[:, columns].tocsr()
    rows.sort_indices()
    degree = np.diff(rows.indptr)
    n = len(columns)
    single = np.zeros(n)
    one = np.flatnonzero((degree == 1) & (weights > 0))
    np.add.at(single, rows.indices[rows.indptr[one]], weights[one] / scale)
    many = np.flatnonzero((degree >= 2) & (weights > 0))
    group_of: dict[bytes, int] = {}
    group_weight: list[float] = []
    starts, members = [0], []
    for i in many:
        key_array = rows.indices[rows.indptr[i] : rows.indptr[i + 1]]
        key = key_array.tobytes()
        g = group_of.get(key)
        if g is None:
            g = group_of[key] = len(group_weight)
            group_weight.append(0.0)
            members.append(key_array)
            starts.append(starts[-1] + len(key_array))
        group_weight[g] += weights[i] / scale
    indices = np.concatenate(members) if members else np.empty(0, dtype=np.int32)
    groups = sparse.csr_matrix(
        (np.ones(len(indices)), indices, np.asarray(starts, dtype=np.int64)), shape=(len(group_weight), n)
    )
    return _Model(single, np.asarray(group_weight), groups, scale, columns, offset)


def _dominated(model: _Model, protected: np.ndarray) -> np.ndarray:
    """Model columns some other column dominates (bool per column): everything j reaches, the other
    reaches too (no demand of j's own, its groups a subset of the other's), and the other reaches
    more, or the same with a lower index. Some optimum uses no dominated column: put the dominating
    one in its place (or, when it is already chosen, drop j), coverage never falls. The relation is
    a strict order, so every dominated column has an undominated one above it and removing them all
    at once is safe. `protected` columns (the best known choice) are kept."""
    by_column = model.groups.tocsc()
    size = np.diff(by_column.indptr)
    own = model.single > 0
    overlap = (by_column.T @ by_column).tocoo()
    j, other, shared = overlap.row, overlap.col, overlap.data
    wins = (j != other) & ~own[j] & (shared == size[j]) & ((size[other] > size[j]) | own[other] | (other < j))
    dominated = np.zeros(len(size), dtype=bool)
    dominated[j[wins]] = True
    nothing = (size == 0) & ~own
    if (~nothing).any():
        dominated |= nothing  # reaches no open demand: any column reaching some dominates it
    return dominated & ~protected


def interchange(problem: SitingProblem, chosen: list[int], *, deadline: float | None = None) -> list[int]:
    """Improve a choice of sites by swaps (Teitz & Bart's interchange): replace one chosen site by
    the candidate that adds the most, while that strictly increases the covered weight (checked
    with the exact sum). The best swap of each round is the first maximum (lowest positions), so
    the same start gives the same end."""
    chosen = list(chosen)
    if not chosen:
        return chosen
    weights = problem.open_weights
    cover = problem.cover
    useful = np.flatnonzero(weights > 0)
    a = cover[useful, :].tocsc()  # open demand × candidates
    w = weights[useful]
    n = problem.n_candidates
    current = newly_covered_weight(problem, chosen)
    tolerance = 1e-12 * max(problem.total_weight, 1.0)
    while deadline is None or time.monotonic() < deadline:
        chosen_cols = a[:, chosen]
        count = np.asarray(chosen_cols.sum(axis=1)).ravel()
        gain = a.T @ np.where(count == 0, w, 0.0)
        unique = sparse.csc_matrix(chosen_cols.multiply(np.where(count == 1, w, 0.0)[:, None]))
        loss = np.asarray(unique.sum(axis=0)).ravel()
        delta = (unique.T @ a).toarray() + gain[None, :] - loss[:, None]
        delta[:, chosen] = -np.inf
        best = int(np.argmax(delta))
        position, candidate = divmod(best, n)
        if not delta[position, candidate] > tolerance:
            break
        trial = chosen.copy()
        trial[position] = candidate
        value = newly_covered_weight(problem, trial)
        if not value > current:
            break
        chosen, current = trial, value
    return chosen


@dataclass(frozen=True)
class _Lagrangian:
    """The best Lagrangian bound found (share units) and each candidate's value under its
    multipliers, from which sites are ruled out or fixed (`_fixings`)."""

    bound: float
    values: np.ndarray


def _lagrangian_value(model: _Model, k: int, lam: np.ndarray) -> tuple[float, np.ndarray]:
    """The Lagrangian dual of the MCLP relaxed on its coverage rows (y_g ≤ Σ x_j, multipliers λ_g
    in [0, w_g]): L(λ) = Σ max(0, w_g − λ_g) + the k largest positive values of
    c_j + Σ_{g reached by j} λ_g, with those values. Every L(λ) bounds the optimum from above; its
    minimum is the LP bound."""
    values = model.single + model.groups.T.tocsr() @ lam
    n = len(values)
    k = min(k, n)
    top = np.argpartition(-values, k - 1)[:k] if k < n else np.arange(n)
    top = top[values[top] > 0]
    return float(np.maximum(0.0, model.group_weight - lam).sum() + values[top].sum()), values


def _lp_by_columns(
    model: _Model, k: int, *, deadline: float, cpu_seconds: float | None = None, rounds: int = 30
) -> _Lagrangian:
    """The LP bound by column generation: HiGHS solves the LP over a few candidates (those of highest
    value), the duals of its coverage rows become multipliers (w_g for the rows of demand none of
    those candidates reaches), and L(λ) at those multipliers is a proved bound. Candidates whose value
    exceeds the k-th best are added until L(λ) meets the restricted LP's value: then it is the LP
    bound itself. Any multipliers in [0, w] give a valid bound, so a round cut short by the deadline
    still returns one."""
    cpu_started = time.process_time()
    n = len(model.single)
    w = model.group_weight
    lam = w / np.maximum(np.diff(model.groups.indptr), 1)
    best, values = _lagrangian_value(model, k, lam)
    best_values = values
    columns = np.argsort(-values, kind="stable")[: min(n, 4 * k + 50)]
    by_group = model.groups.tocsc()
    for _round in range(rounds):
        if time.monotonic() > deadline or (cpu_seconds is not None and time.process_time() - cpu_started > cpu_seconds):
            break
        columns = np.sort(columns)
        sub_cols = by_group[:, columns].tocsr()
        reached = np.flatnonzero(np.diff(sub_cols.indptr))
        sub = _Model(model.single[columns], w[reached], sub_cols[reached], model.scale, model.columns[columns])
        h = _highs()
        h.setOptionValue("time_limit", max(0.1, deadline - time.monotonic()))
        h.passModel(_build(sub, objective="max_cover", k=k))
        h.run()
        import highspy

        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        restricted = float(h.getInfo().objective_function_value)
        duals = np.abs(np.asarray(h.getSolution().row_dual[: len(reached)]))
        lam = w.copy()
        lam[reached] = np.minimum(duals, w[reached])
        bound, values = _lagrangian_value(model, k, lam)
        if bound < best:
            best, best_values = bound, values
        if best <= restricted * (1 + 1e-9) + 1e-12:
            break
        threshold = np.sort(values[columns])[::-1][min(k, len(columns)) - 1] if len(columns) else 0.0
        outside = np.setdiff1d(np.arange(n), columns)
        better = outside[values[outside] > threshold]
        if len(better) == 0:
            break
        better = better[np.argsort(-values[better], kind="stable")][: 2 * k + 50]
        columns = np.concatenate([columns, better])
    return _Lagrangian(best, best_values)


def _fixings(relaxation: _Lagrangian, k: int, lower: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidates that no choice better than `lower` can use (ruled out) or do without (fixed in),
    by the Lagrangian bound with that candidate forced in or out. Margins keep float rounding on
    the safe side: a candidate is ruled out only when its bound is clearly below `lower`."""
    values = np.maximum(relaxation.values, 0.0)
    n = len(values)
    order = np.argsort(-values, kind="stable")
    sorted_values = values[order]
    k = min(k, n)
    kth = sorted_values[k - 1]
    next_value = sorted_values[k] if k < n else 0.0
    in_top = np.zeros(n, dtype=bool)
    in_top[order[:k]] = True
    margin = 1e-9 * max(relaxation.bound, 1e-12) + 1e-12
    forced_in = relaxation.bound - kth + values  # bound with j forced in (for j outside the top k)
    forced_out = relaxation.bound - values + next_value  # bound with j left out (j in the top k)
    ruled_out = ~in_top & (forced_in < lower - margin)
    fixed_in = in_top & (forced_out < lower - margin)
    return ruled_out, fixed_in


def _highs():
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    return h


def _build(model: _Model, *, objective: str, k: int | None = None, required: float | None = None):
    """The HighsLp of MCLP (objective "max_cover", at most k sites) or of set covering (objective
    "min_sites", covering at least `required` share)."""
    import highspy

    n, g = len(model.single), len(model.group_weight)
    lp = highspy.HighsLp()
    lp.num_col_ = n + g
    lp.num_row_ = g + 1
    inf = highspy.kHighsInf
    if objective == "max_cover":
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = np.concatenate([model.single, model.group_weight])
        lp.offset_ = float(model.offset)
    else:
        lp.sense_ = highspy.ObjSense.kMinimize
        lp.col_cost_ = np.concatenate([np.ones(n), np.zeros(g)])
    lp.col_lower_ = np.zeros(n + g)
    lp.col_upper_ = np.ones(n + g)
    # Rows 0..g-1: y_g − Σ_{j reaches g} x_j ≤ 0. Row g: the budget (Σ x ≤ k) or the target
    # (Σ single_j x_j + Σ w_g y_g ≥ required).
    groups = model.groups
    row_starts = groups.indptr + np.arange(g + 1)  # each group row also holds its own y
    index = np.empty(len(groups.indices) + g, dtype=np.int32)
    value = np.empty(len(groups.indices) + g)
    own = row_starts[:-1]
    index[own] = n + np.arange(g)
    value[own] = 1.0
    mask = np.ones(len(index), dtype=bool)
    mask[own] = False
    index[mask] = groups.indices
    value[mask] = -1.0
    if objective == "max_cover":
        last_index = np.arange(n, dtype=np.int32)
        last_value = np.ones(n)
        lower, upper = -inf, float(k)
    else:
        last_index = np.concatenate([np.flatnonzero(model.single), n + np.arange(g)]).astype(np.int32)
        last_value = np.concatenate([model.single[model.single != 0], model.group_weight])
        lower, upper = float(required), inf
    lp.row_lower_ = np.concatenate([np.full(g, -inf), [lower]])
    lp.row_upper_ = np.concatenate([np.zeros(g), [upper]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([row_starts, [row_starts[-1] + len(last_index)]]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([index, last_index]).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([value, last_value])
    lp.a_matrix_.num_col_ = n + g
    lp.a_matrix_.num_row_ = g + 1
    return lp


def _solve_lp(lp) -> float:
    h = _highs()
    h.passModel(lp)
    h.run()
    return float(h.getInfo().objective_function_value)


def _start_values(model: _Model, chosen: list[int]) -> np.ndarray:
    x = np.zeros(len(model.single))
    x[chosen] = 1.0
    y = np.minimum(1.0, model.groups @ x) if len(model.group_weight) else np.zeros(0)
    return np.concatenate([x, y])


def _solve_mip(lp, model: _Model, start: list[int], time_limit: float, progress: Progress, total: int):
    """(chosen model columns, HiGHS's dual bound in shares, status, HiGHS's own report: status,
    primal and dual bound in shares, its gap, nodes) of the MIP with x integer, from `start` (model
    columns), within `time_limit` seconds."""
    import highspy

    n = len(model.single)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * len(model.group_weight)
    h = _highs()
    h.setOptionValue("time_limit", max(0.1, float(time_limit)))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    solution = highspy.HighsSolution()
    solution.col_value = list(_start_values(model, start))
    solution.value_valid = True
    h.setSolution(solution)
    last_report = [0.0]

    def interrupt(event) -> None:
        now = time.monotonic()
        if now - last_report[0] < 0.5:
            return
        last_report[0] = now
        try:
            progress(0, total, SOLVING_MIP)
        except Exception:
            event.interrupt()
            raise_later.append(True)

    raise_later: list[bool] = []
    h.cbMipInterrupt += interrupt
    h.run()
    h.cbMipInterrupt -= interrupt
    status = h.getModelStatus()
    info = h.getInfo()
    values = (
        np.asarray(h.getSolution().col_value[:n]) if info.primal_solution_status else _start_values(model, start)[:n]
    )
    chosen = [int(j) for j in np.flatnonzero(values > 0.5)]
    if raise_later:
        progress(0, total, SOLVING_MIP)  # raises the cancellation again, outside HiGHS
    if status == highspy.HighsModelStatus.kOptimal:
        state = STATUS_OPTIMAL
    elif status == highspy.HighsModelStatus.kTimeLimit:
        state = STATUS_TIME_LIMIT
    else:
        state = STATUS_INTERRUPTED
    report = {
        "status": h.modelStatusToString(status),
        "primal": float(info.objective_function_value),
        "dual_bound": float(info.mip_dual_bound),
        "mip_gap": float(info.mip_gap),
        "nodes": int(info.mip_node_count),
    }
    return chosen, float(info.mip_dual_bound), state, report


def _in_model(model: _Model, candidates) -> list[int]:
    """Model columns of those `candidates` the model has."""
    position = {int(c): j for j, c in enumerate(model.columns)}
    return [position[int(c)] for c in candidates if int(c) in position]


def _mclp_mip(model: _Model, k: int, start: list[int], time_limit: float, progress: Progress, total: int):
    """(chosen candidates, HiGHS's dual bound in shares, status, HiGHS's report): the MCLP over the
    model's columns with at most k of them, from the candidates `start`."""
    if not len(model.columns) or k <= 0:
        return [], model.offset, STATUS_OPTIMAL, {}
    lp = _build(model, objective="max_cover", k=k)
    chosen, dual_bound, status, report = _solve_mip(lp, model, _in_model(model, start), time_limit, progress, total)
    return [int(model.columns[j]) for j in chosen], dual_bound, status, report


# Models up to this many coverage entries also get HiGHS's LP bound for the greedy answer (larger
# ones rely on the Lagrangian bound, which approaches the same value without solving the LP).
LP_BOUND_MAX_ENTRIES = 50_000
# CPU seconds the greedy answer's Lagrangian bound may take (CPU, so that a loaded machine does not
# weaken the bound), and at most this many times as long on the clock.
BOUND_SECONDS = 3.0
BOUND_WALL_FACTOR = 4.0


def mclp_bound(problem: SitingProblem, k: int, greedy: SitingAnswer, *, seconds: float = BOUND_SECONDS) -> SitingAnswer:
    """Greedy's answer with the LP bound (its Lagrangian dual, and HiGHS's LP on small models)
    taken into account: the smallest proved bound gives the gap."""
    model = _reduced_model(problem)
    if not len(model.group_weight) and not model.single.any():
        return greedy
    relaxation = _lp_by_columns(model, k, deadline=time.monotonic() + BOUND_WALL_FACTOR * seconds, cpu_seconds=seconds)
    bound, bound_by = greedy.bound, "greedy"
    lagrangian = relaxation.bound * model.scale * (1 + LP_BOUND_SLACK)
    if lagrangian < bound:
        bound, bound_by = lagrangian, "lagrangian"
    if model.groups.nnz <= LP_BOUND_MAX_ENTRIES:
        lp_value = _solve_lp(_build(model, objective="max_cover", k=k)) * model.scale * (1 + LP_BOUND_SLACK)
        if lp_value < bound:
            bound, bound_by = lp_value, "lp"
    bound = max(bound, greedy.covered_weight)
    return replace(greedy, bound=bound, gap=_max_gap(bound, greedy.covered_weight), bound_by=bound_by)


# The share of the exact stage's time the search for a better choice among the most promising
# candidates may take (the rest goes to the proof), and how many candidates it looks at (× k).
SEARCH_SHARE = 0.25
SEARCH_SECONDS = 30.0
SEARCH_WIDTH = 4


def mclp_exact(
    problem: SitingProblem, k: int, *, time_limit: float, start: SitingAnswer | None = None, progress: Progress = SILENT
) -> SitingAnswer:
    """The MCLP solved exactly within `time_limit` seconds, or the best choice found with a proved
    gap. Steps:

    1. the greedy start improved by interchange (the best known choice);
    2. the LP bound, as a Lagrangian bound with each candidate's value under its multipliers;
    3. a better choice searched among the most promising candidates (the highest values and the
       best known; HiGHS on that small model, then interchange again);
    4. candidates that no choice better than the best known can use are ruled out, those that every
       better choice needs are fixed in (the Lagrangian bound with the candidate forced in or out),
       and dominated candidates dropped (`_dominated`): none of it changes the optimum's value;
    5. HiGHS solves what is left (x binary, coverage continuous, the fixed-in coverage as its
       objective offset) from the best known choice, for the time left.

    The answer is the better of the best known choice and HiGHS's. The bound is the smallest proved
    one: the greedy's, the Lagrangian, or HiGHS's own dual bound (`bound_by` says which) — never
    below the best known value, since the reductions only exclude choices no better than it."""
    started = time.perf_counter()
    deadline = time.monotonic() + time_limit
    start = start or mclp_greedy(problem, k)
    model = _reduced_model(problem)
    if not len(model.group_weight) and not model.single.any():
        return SitingAnswer(
            "exact", [], 0.0, 0.0, 0.0, STATUS_OPTIMAL, time.perf_counter() - started, bound_by="optimal"
        )
    steps = 4
    progress(0, steps, IMPROVING)
    known = interchange(problem, start.chosen, deadline=deadline)
    known_value = newly_covered_weight(problem, known)
    if known_value < start.covered_weight:
        known, known_value = list(start.chosen), start.covered_weight
    progress(1, steps, BOUNDING)
    remaining = max(0.0, deadline - time.monotonic())
    relaxation = _lp_by_columns(model, k, deadline=time.monotonic() + min(remaining / 3, 30.0))
    lagrangian = relaxation.bound * model.scale * (1 + LP_BOUND_SLACK)
    upper, bound_by = (start.bound, "greedy") if start.bound <= lagrangian else (lagrangian, "lagrangian")

    details = {"start": start.covered_weight, "interchange": known_value, "lagrangian_bound": lagrangian}

    def answer(chosen, value, bound, by, status):
        bound = max(bound, value)
        seconds = time.perf_counter() - started
        return SitingAnswer(
            "exact", sorted(chosen), value, bound, _max_gap(bound, value), status, seconds, bound_by=by, details=details
        )

    if upper <= known_value:
        return answer(known, known_value, known_value, bound_by, STATUS_OPTIMAL)
    if time.monotonic() >= deadline:
        return answer(known, known_value, upper, bound_by, STATUS_TIME_LIMIT)

    progress(2, steps, SEARCHING)
    width = min(problem.n_candidates, SEARCH_WIDTH * k + 50)
    promising = np.argsort(-relaxation.values, kind="stable")[:width]
    if width < problem.n_candidates:
        search = _reduced_model(problem, columns=np.concatenate([promising, known]))
        seconds = min(SEARCH_SECONDS, SEARCH_SHARE * max(0.0, deadline - time.monotonic()))
        found, _bound, _status, _report = _mclp_mip(search, k, known, seconds, progress, steps)
        found = interchange(problem, found, deadline=deadline) if found else found
        found_value = newly_covered_weight(problem, found)
        details.update(search_candidates=len(search.columns), search=found_value)
        if found_value > known_value:
            known, known_value = found, found_value
        if upper <= known_value:
            return answer(known, known_value, known_value, bound_by, STATUS_OPTIMAL)

    ruled_out, fixed_in = _fixings(relaxation, k, known_value / model.scale)
    in_known = np.zeros(problem.n_candidates, dtype=bool)
    in_known[known] = True
    if ruled_out[in_known].any() or (fixed_in & ~in_known).any():
        ruled_out[:], fixed_in[:] = False, False  # rounding disagreed with the best known: no fixing at all
    fixed = np.flatnonzero(fixed_in)
    reduced = _reduced_model(problem, columns=np.flatnonzero(~ruled_out & ~fixed_in), fixed=fixed)
    dominated = _dominated(reduced, protected=in_known[reduced.columns])
    if dominated.any():
        reduced = _reduced_model(problem, columns=reduced.columns[~dominated], fixed=fixed)
    details.update(
        ruled_out=int(ruled_out.sum()),
        fixed_in=len(fixed),
        dominated=int(dominated.sum()),
        columns=len(reduced.columns),
        groups=len(reduced.group_weight),
        entries=int(reduced.groups.nnz),
    )
    progress(3, steps, SOLVING_MIP)
    mip_started = time.perf_counter()
    chosen, dual_bound, status, report = _mclp_mip(
        reduced, k - len(fixed), known, max(0.0, deadline - time.monotonic()), progress, steps
    )
    # HiGHS's own figures, turned from shares into weights (its dual bound includes the offset).
    details["highs"] = {
        **report,
        **{key: report[key] * model.scale for key in ("primal", "dual_bound") if key in report},
        "seconds": time.perf_counter() - mip_started,
    }
    chosen = sorted({*chosen, *(int(j) for j in fixed)})
    covered = newly_covered_weight(problem, chosen)
    if covered <= known_value:
        chosen, covered = known, known_value
    # Any choice using a ruled-out candidate, or lacking a fixed-in one, is worth less than the best
    # known; the rest is the reduced model, which HiGHS bounds by `dual_bound` (offset included),
    # and solves to optimality (within its tolerances) when it says so.
    if status == STATUS_OPTIMAL:
        return answer(chosen, covered, covered, "highs", status)
    solver = max(known_value, dual_bound * model.scale * (1 + LP_BOUND_SLACK))
    if solver < upper:
        upper, bound_by = solver, "highs"
    return answer(chosen, covered, upper, bound_by, status)


def set_cover_greedy(problem: SitingProblem, required: float, *, progress: Progress = SILENT) -> SitingAnswer:
    """Greedy set covering: pick the best candidate until `required` new weight is covered. The
    bound is added by `set_cover_bound`."""
    started = time.perf_counter()
    greedy = _Greedy(problem)
    chosen, gains = [], []
    covered = 0.0
    while covered < required:
        progress(len(chosen), problem.n_candidates, PICKING)
        picked = greedy.pick()
        if picked is None:
            break
        chosen.append(picked[0])
        gains.append(picked[1])
        covered = newly_covered_weight(problem, chosen)
    return SitingAnswer("greedy", chosen, covered, 0.0, 0.0, seconds=time.perf_counter() - started, gains=gains)


def set_cover_bound(problem: SitingProblem, required: float, greedy: SitingAnswer) -> SitingAnswer:
    """Greedy's set cover with the LP lower bound on the number of sites (rounded up)."""
    model = _reduced_model(problem)
    if required <= 0:
        return greedy
    lp_value = _solve_lp(_build(model, objective="min_sites", required=required / model.scale))
    bound = float(max(0, math.ceil(lp_value * (1 - LP_BOUND_SLACK) - 1e-9)))
    bound = min(bound, float(greedy.count))
    return replace(greedy, bound=bound, gap=_min_gap(bound, greedy.count))


def set_cover_exact(
    problem: SitingProblem,
    required: float,
    *,
    time_limit: float,
    start: SitingAnswer | None = None,
    progress: Progress = SILENT,
) -> SitingAnswer:
    """The fewest candidates covering at least `required` new weight, by HiGHS from the greedy
    answer within `time_limit` seconds."""
    started = time.perf_counter()
    start = start or set_cover_greedy(problem, required)
    if required <= 0:
        return SitingAnswer("exact", [], 0.0, 0.0, 0.0, STATUS_OPTIMAL, time.perf_counter() - started)
    model = _reduced_model(problem)
    progress(0, 1, SOLVING_MIP)
    lp = _build(model, objective="min_sites", required=required / model.scale)
    chosen, dual_bound, status, _report = _solve_mip(lp, model, start.chosen, time_limit, progress, 1)
    covered = newly_covered_weight(problem, chosen)
    bound = float(max(0, math.ceil(dual_bound * (1 - LP_BOUND_SLACK) - 1e-9)))
    # The solver meets the target within its tolerance; a choice short of it by more than rounding
    # is not an answer, and the greedy one (which meets it) stands.
    if covered < required * (1 - 1e-9) or len(chosen) > start.count:
        chosen, covered = sorted(start.chosen), start.covered_weight
    elif status == STATUS_OPTIMAL:
        bound = float(len(chosen))
    bound = min(bound, float(len(chosen)))
    return SitingAnswer(
        "exact",
        sorted(chosen),
        covered,
        bound,
        _min_gap(bound, len(chosen)),
        status,
        time.perf_counter() - started,
    )
