"""The allocation of a cohort to offers, as a pure function on plain data.

Nothing here touches the database: :mod:`core.allocation.loading` builds a
:class:`Problem`, :func:`solve` returns a :class:`Solution`, and
:mod:`core.allocation.services` stores it as a proposal. :func:`greedy` solves the same
problem first come, first served, for comparison.

**The unit** is a *need*: one student and one of their teaching subjects, which becomes
one placement request. A student with two subjects has two needs; when both must be at
the same school they are placed together or not at all.

**The rule** (shown to coordinators), lexicographic:

1. As many students as possible get at least one place. Nobody is left without a place so
   that someone else gets a better one, or a second subject.
2. Then as many needs as possible: the second subjects of students who have a place.
3. Among the allocations that place those, meet the wishes best, with a convex cost:
   wish ``r`` costs ``1000 · r(r+1)/2`` (1000, 3000, 6000, ...), a place that is not a wish
   costs more than any wish, and each kilometre adds 1. Because the cost grows faster the
   further down the list, two students at their second wish beat one at the first and one
   at the third: nobody is pushed far down to give another a slightly better school.

**Constraints**: the subject and level of the offer, the philosophical subjects a school
teaches, the offer's free places, the school's free capacity for the school year (every
placement counts one, as an accepted request does), the period overlap and the student's
maximum distance. Each need gets its wishes and the ``nearest`` other compatible offers as
candidates, which keeps a Flanders-wide cohort small enough to solve in seconds.

**Solvers**: a min-cost flow (OR-Tools ``SimpleMinCostFlow``: source → student → need →
offer → school → sink; see :func:`_flow` for why the most needs, then the most students,
then the least cost, is the order of the rule) when no student needs two subjects at one
school. With such students a mixed-integer programme (OR-Tools with CBC) in three phases:
the most students with a place, then the most needs with that many students, then the
least cost. A cohort too large for the integer programme to answer in seconds
(:data:`MAX_INTEGER_OPTIONS` candidate places and pairs) gets a warm start in the same
order: one place for as many students without a pair as the flow can give, the paired
students' cheapest pairs that still fit, then the second subjects by the flow (or the
pairs first, whichever is better by the rule); the solution then says it is not proven
optimal.
"""

from __future__ import annotations

import functools
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

KM_PER_DEGREE = math.pi * 6371.0088 / 180
#: Wishes a student may record.
MAX_WISHES = 5
#: Compatible offers, besides the wishes, that each need gets as candidates.
NEAREST = 8
WISH_UNIT = 1000
#: The cost of a place that is no wish: more than the last wish.
NO_WISH_COST = WISH_UNIT * (MAX_WISHES + 1) * (MAX_WISHES + 2) // 2
#: Above this many options (candidate places and pairs) the integer programme takes longer
#: than a coordinator waits: the flow places the single needs optimally and the paired
#: students take their cheapest pair that still fits (not proven optimal).
MAX_INTEGER_OPTIONS = 40_000
#: Seconds the integer programme may search before it answers with the best it found.
TIME_LIMIT = 8.0
#: An open day bound (an offer or student without dates).
OPEN_START, OPEN_END = -(10**9), 10**9


def wish_cost(rank: int | None, km: float | None) -> int:
    """The cost of a place: convex in the wish rank, plus one per kilometre."""
    base = WISH_UNIT * rank * (rank + 1) // 2 if rank else NO_WISH_COST
    return base + (int(km + 0.5) if km is not None else 0)


# ----------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class Wish:
    """One ranked wish: an offer, or any offer of a school."""

    offer_id: int | None = None
    school_id: int | None = None

    def matches(self, offer: OfferData) -> bool:
        if self.offer_id is not None:
            return self.offer_id == offer.id
        return self.school_id == offer.school_id


@dataclass(frozen=True)
class StudentData:
    id: int
    level: str
    subjects: tuple[int, ...]
    wishes: tuple[Wish, ...] = ()
    #: With two subjects: both at one school, or none.
    same_school: bool = False
    max_km: float | None = None
    #: Day numbers (``date.toordinal()``) of the period the student is available.
    start: int = OPEN_START
    end: int = OPEN_END
    lat: float | None = None
    lon: float | None = None
    #: Schools where the student has an open request in an overlapping period: another
    #: request there would be refused (see ``placements.services.create_request``).
    busy_at: frozenset[int] = frozenset()

    @property
    def paired(self) -> bool:
        return self.same_school and len(self.subjects) == 2


@dataclass(frozen=True)
class OfferData:
    id: int
    school_id: int
    level: str
    subject_id: int
    #: Free places now.
    places: int
    start: int = OPEN_START
    end: int = OPEN_END
    lat: float | None = None
    lon: float | None = None


@dataclass
class Problem:
    students: Sequence[StudentData]
    offers: Sequence[OfferData]
    #: Free capacity of a school for the school year; a school not listed has no limit.
    school_capacity: dict[int, int] = field(default_factory=dict)
    #: Subjects only some schools teach (philosophical subjects): subject → school ids.
    teaching: dict[int, frozenset[int]] = field(default_factory=dict)
    nearest: int = NEAREST


# ------------------------------------------------------------------------- results

#: Why a need got its place, or none.
WISH = "wish"
NEAREST_FREE = "nearest"
NO_OFFER = "no_offer"
NOT_TAUGHT = "not_taught"
NO_PERIOD = "no_period"
TOO_FAR = "too_far"
NO_PAIR = "no_pair"
FULL = "full"


@dataclass(frozen=True)
class Binding:
    """The capacity that kept a need out: an offer's places or a school's year capacity."""

    kind: str  # "offer" or "school"
    id: int


class Candidate(NamedTuple):
    offer: int  # index into Problem.offers
    rank: int | None
    km: float | None
    cost: int


@dataclass
class Need:
    student: int  # index into Problem.students
    subject_id: int
    candidates: list[Candidate]
    #: Why there is no candidate (a reason code), when there is none.
    empty_reason: str | None = None
    #: The nearest offer of the subject beyond the maximum distance, in km.
    nearest_km: float | None = None


@dataclass(frozen=True)
class Assignment:
    student_id: int
    subject_id: int
    offer_id: int | None
    wish_rank: int | None
    distance_km: float | None
    reason: str
    binding: Binding | None = None
    nearest_km: float | None = None


@dataclass
class Solution:
    assignments: list[Assignment]
    method: str
    optimal: bool
    seconds: float
    cost: int

    @property
    def placed(self) -> int:
        return sum(a.offer_id is not None for a in self.assignments)

    @property
    def wishes_met(self) -> int:
        return sum(a.wish_rank is not None for a in self.assignments)

    @property
    def students_with_place(self) -> int:
        """Students with at least one place (the first aim of the rule)."""
        return len({a.student_id for a in self.assignments if a.offer_id is not None})

    @property
    def students_placed(self) -> int:
        """Students with a place for every need (fully placed)."""
        missing = {a.student_id for a in self.assignments if a.offer_id is None}
        return len({a.student_id for a in self.assignments} - missing)


# ---------------------------------------------------------------------- candidates


class _Offers:
    """The offers as arrays, grouped by level and subject."""

    def __init__(self, problem: Problem):
        offers = problem.offers
        self.rows = offers
        self.school = np.array([o.school_id for o in offers], dtype=np.int64)
        self.places = np.array([o.places for o in offers], dtype=np.int64)
        self.start = np.array([o.start for o in offers], dtype=np.int64)
        self.end = np.array([o.end for o in offers], dtype=np.int64)
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for index, offer in enumerate(offers):
            groups[offer.level, offer.subject_id].append(index)
        self.groups = {key: np.array(value, dtype=np.int64) for key, value in groups.items()}


class _Points:
    """Distances between the distinct points of a problem (homes and campuses lie at
    municipality points, so there are few), computed once as a matrix."""

    def __init__(self, problem: Problem):
        coordinates = [(s.lat, s.lon) for s in problem.students]
        coordinates += [(o.lat, o.lon) for o in problem.offers]
        known = {c for c in coordinates if c[0] is not None and c[1] is not None}
        snap = _snap if len(known) > MAX_POINTS else (lambda point: point)
        known = sorted({snap(c) for c in known})
        index = {point: k for k, point in enumerate(known)}
        unknown = len(known)  # the last row and column: NaN, no distance

        def position(lat, lon) -> int:
            return unknown if lat is None or lon is None else index[snap((lat, lon))]

        self.student = np.array([position(s.lat, s.lon) for s in problem.students], np.int64)
        self.offer = np.array([position(o.lat, o.lon) for o in problem.offers], np.int64)
        lat = np.array([p[0] for p in known] + [np.nan])
        lon = np.array([p[1] for p in known] + [np.nan])
        x = (lon[None, :] - lon[:, None]) * KM_PER_DEGREE
        x *= np.cos(np.radians((lat[None, :] + lat[:, None]) / 2))
        y = (lat[None, :] - lat[:, None]) * KM_PER_DEGREE
        self.km = np.sqrt(x * x + y * y)


#: Beyond this many distinct points (homes and campuses are normally municipality points),
#: points are snapped to a grid of :data:`GRID` degrees (about 2 km) to keep the matrix small.
MAX_POINTS = 4000
GRID = 0.02


def _snap(point: tuple[float, float]) -> tuple[float, float]:
    return (round(point[0] / GRID) * GRID, round(point[1] / GRID) * GRID)


#: Needs handled together in one matrix (rows) against the offers of their subject.
BLOCK = 512


def build_needs(problem: Problem) -> list[Need]:
    """Every need of the cohort with its candidates, cheapest first.

    Needs are handled per level and subject, a block of needs at a time against all the
    offers of that subject, as numpy matrices (period, distance, nearest).
    """
    offers, points = _Offers(problem), _Points(problem)
    needs = [
        Need(index, subject_id, [])
        for index, student in enumerate(problem.students)
        for subject_id in student.subjects
    ]
    by_group: dict[tuple[str, int], list[Need]] = defaultdict(list)
    for need in needs:
        by_group[problem.students[need.student].level, need.subject_id].append(need)
    for (level, subject_id), members in by_group.items():
        group = offers.groups.get((level, subject_id))
        if group is None:
            for need in members:
                need.empty_reason = NO_OFFER
            continue
        teaching = problem.teaching.get(subject_id)
        if teaching is not None:
            group = group[np.isin(offers.school[group], np.fromiter(teaching, np.int64))]
            if not len(group):
                for need in members:
                    need.empty_reason = NOT_TAUGHT
                continue
        for first in range(0, len(members), BLOCK):
            _fill_block(problem, offers, points, group, members[first : first + BLOCK])
    return needs


def _fill_block(
    problem: Problem, offers: _Offers, points: _Points, group: np.ndarray, block: list[Need]
) -> None:
    students = [problem.students[need.student] for need in block]
    start = np.array([s.start for s in students], dtype=np.int64)[:, None]
    end = np.array([s.end for s in students], dtype=np.int64)[:, None]
    in_period = (offers.start[group][None, :] <= end) & (offers.end[group][None, :] >= start)
    homes = points.student[[need.student for need in block]]
    km = points.km[homes[:, None], points.offer[group][None, :]]  # NaN: unknown, no limit
    limit = np.array([np.inf if s.max_km is None else s.max_km for s in students])[:, None]
    allowed = in_period & (np.isnan(km) | (km <= limit))
    for row, student in enumerate(students):
        if student.busy_at:
            allowed[row] &= ~np.isin(offers.school[group], list(student.busy_at))
    empty = (~allowed.any(axis=1)).tolist()
    key = np.where(
        allowed & (offers.places[group] > 0)[None, :], np.nan_to_num(km, nan=0.0), np.inf
    )
    nearest = min(problem.nearest, len(group))
    closest = np.argpartition(key, nearest - 1, axis=1)[:, :nearest] if nearest else None
    if closest is not None:
        usable = np.isfinite(np.take_along_axis(key, closest, axis=1)).tolist()
        closest_km = np.take_along_axis(km, closest, axis=1).tolist()
        closest = closest.tolist()
    group_list = group.tolist()
    positions = {problem.offers[offer].id: p for p, offer in enumerate(group_list)}
    at_school: dict[int, list[int]] = defaultdict(list)
    for position, offer in enumerate(group_list):
        at_school[problem.offers[offer].school_id].append(position)
    for row, (need, student) in enumerate(zip(block, students, strict=True)):
        if empty[row]:
            period_ok = in_period[row]
            need.empty_reason = NO_PERIOD if not period_ok.any() else TOO_FAR
            if period_ok.any() and not np.isnan(km[row][period_ok]).all():
                need.nearest_km = float(np.nanmin(km[row][period_ok]))
            continue
        chosen: dict[int, Candidate] = {}
        for rank, wish in enumerate(student.wishes, 1):
            if wish.offer_id is not None:
                hits = [positions[wish.offer_id]] if wish.offer_id in positions else []
            else:
                hits = at_school.get(wish.school_id, [])
            for position in hits:
                offer = group_list[position]
                if offer not in chosen and allowed[row, position]:
                    chosen[offer] = _candidate(offer, rank, float(km[row, position]))
        if closest is not None:
            for position, ok, distance in zip(
                closest[row], usable[row], closest_km[row], strict=True
            ):
                offer = group_list[position]
                if ok and offer not in chosen:
                    chosen[offer] = _candidate(offer, None, distance)
        need.candidates = sorted(chosen.values(), key=lambda c: (c.cost, c.offer))


def _candidate(offer: int, rank: int | None, km: float) -> Candidate:
    distance = None if math.isnan(km) else km
    return Candidate(offer, rank, distance, wish_cost(rank, distance))


# ------------------------------------------------------------------------- solving


@dataclass(frozen=True)
class _Pair:
    """Both needs of a same-school student at one school: two offers, one choice."""

    first: Candidate
    second: Candidate

    @property
    def cost(self) -> int:
        return self.first.cost + self.second.cost


def _pairs(first: Need, second: Need, problem: Problem) -> list[_Pair]:
    by_school = defaultdict(list)
    for candidate in second.candidates:
        by_school[problem.offers[candidate.offer].school_id].append(candidate)
    pairs = [
        _Pair(a, b)
        for a in first.candidates
        for b in by_school.get(problem.offers[a.offer].school_id, ())
    ]
    return sorted(pairs, key=lambda p: (p.cost, p.first.offer, p.second.offer))


@dataclass
class _Plan:
    """The needs grouped in units: a single need, or the two needs of a paired student."""

    needs: list[Need]
    singles: list[int]  # need indices
    paired: list[tuple[int, int, list[_Pair]]]  # (need a, need b, their pairs)

    @functools.cached_property
    def pairs_of(self) -> dict[int, list[_Pair]]:
        """The pairs of each need of a paired student."""
        return {i: pairs for a, b, pairs in self.paired for i in (a, b)}

    @classmethod
    def of(cls, problem: Problem) -> _Plan:
        needs = build_needs(problem)
        by_student = defaultdict(list)
        for index, need in enumerate(needs):
            by_student[need.student].append(index)
        singles, paired = [], []
        for student_index, indices in by_student.items():
            if problem.students[student_index].paired:
                a, b = indices
                paired.append((a, b, _pairs(needs[a], needs[b], problem)))
            else:
                singles.extend(indices)
        return cls(needs, singles, paired)


def solve(problem: Problem, time_limit: float = TIME_LIMIT) -> Solution:
    """The best allocation by the rule of this module. The flow is exact; the integer
    programme stops after ``time_limit`` seconds with the best allocation found, and says
    whether it proved it optimal."""
    started = time.perf_counter()
    plan = _Plan.of(problem)
    options = sum(len(plan.needs[i].candidates) for i in plan.singles)
    options += sum(len(pairs) for _, _, pairs in plan.paired)
    if plan.paired and options > MAX_INTEGER_OPTIONS:
        method, chosen, optimal = "flow+pairs", _warm_start(problem, plan), False
    elif plan.paired:
        method, (chosen, optimal) = "integer", _integer(problem, plan, time_limit)
    else:
        method, chosen, optimal = "flow", _flow(problem, plan), True
    return _solution(problem, plan, chosen, method, optimal, time.perf_counter() - started)


def greedy(problem: Problem) -> Solution:
    """First come, first served: each student in turn takes their cheapest candidate that
    still has room (the baseline the benchmark compares with)."""
    started = time.perf_counter()
    plan = _Plan.of(problem)
    used = _Usage(problem)
    chosen: dict[int, Candidate] = {}
    units = sorted(
        [(plan.needs[i].student, (i,)) for i in plan.singles]
        + [(plan.needs[a].student, (a, b)) for a, b, _ in plan.paired]
    )
    pairs = {(a, b): p for a, b, p in plan.paired}
    for _, unit in units:
        if len(unit) == 1:
            found = next((c for c in plan.needs[unit[0]].candidates if used.fits(c.offer)), None)
            if found is not None:
                used.take(found.offer)
                chosen[unit[0]] = found
            continue
        pair = next((p for p in pairs[unit] if used.fits_pair(p.first.offer, p.second.offer)), None)
        if pair is not None:
            used.take(pair.first.offer)
            used.take(pair.second.offer)
            chosen[unit[0]], chosen[unit[1]] = pair.first, pair.second
    return _solution(problem, plan, chosen, "greedy", False, time.perf_counter() - started)


class _Usage:
    """Places taken per offer and per school while building or checking an allocation."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.offer = defaultdict(int)
        self.school = defaultdict(int)

    def _school_room(self, school_id: int) -> int:
        capacity = self.problem.school_capacity.get(school_id)
        return math.inf if capacity is None else capacity - self.school[school_id]

    def fits(self, offer_index: int) -> bool:
        offer = self.problem.offers[offer_index]
        return self.offer[offer_index] < offer.places and self._school_room(offer.school_id) >= 1

    def fits_pair(self, first: int, second: int) -> bool:
        school = self.problem.offers[first].school_id
        return (
            self.offer[first] < self.problem.offers[first].places
            and self.offer[second] < self.problem.offers[second].places
            and self._school_room(school) >= 2
        )

    def take(self, offer_index: int) -> None:
        self.offer[offer_index] += 1
        self.school[self.problem.offers[offer_index].school_id] += 1

    @classmethod
    def of(cls, problem: Problem, taken: Iterable[Candidate]) -> _Usage:
        used = cls(problem)
        for candidate in taken:
            used.take(candidate.offer)
        return used


def _rank(problem: Problem, plan: _Plan, chosen: dict[int, Candidate]) -> tuple[int, int, int]:
    """An allocation's standing by the rule, higher is better: (students with a place,
    needs placed, minus the wish cost)."""
    students = {plan.needs[i].student for i in chosen}
    return len(students), len(chosen), -sum(c.cost for c in chosen.values())


def _flow(
    problem: Problem,
    plan: _Plan,
    used: _Usage | None = None,
    *,
    needs: Iterable[int] | None = None,
    held: dict[int, int] | None = None,
    seconds: bool = True,
) -> dict[int, Candidate]:
    """The min-cost flow of single needs (``plan.singles`` or ``needs``) on the places that
    ``used`` leaves: source → student → need → offer → school → sink.

    Each student node has two arcs from the source: their first place, which earns
    ``FIRST``, and their further places. Students in ``held`` already hold a place
    elsewhere: all their needs here are further ones. Without ``seconds`` each student gets
    at most one place here.

    The flow places the most needs, then the most students, then the least wish cost, and
    that is the order of the rule: the sets of needs that fit together are the independent
    sets of a matroid (a gammoid of this network), so a set with a need of as many
    students as possible extends to one with as many needs as possible, and an allocation
    with the most needs and the most students exists. ``FIRST``, above every wish cost
    together, picks it among those with the most needs, and no cost needs to weigh a
    student against several second places, which keeps the costs small and the flow fast
    (the brute-force tests check this on small cases).
    """
    used = used or _Usage(problem)
    held = held or {}
    from ortools.graph.python import min_cost_flow

    by_student: dict[int, list[int]] = defaultdict(list)
    for i in plan.singles if needs is None else needs:
        if plan.needs[i].candidates:
            by_student[plan.needs[i].student].append(i)
    units = []  # (need indices, first places, further places)
    for student, indices in by_student.items():
        first = 0 if held.get(student, 0) else 1
        further = len(indices) - first if seconds else 0
        if first or further:
            units.append((indices, first, further))
    if not units:
        return {}
    # A first place is worth more than every wish cost together, when there are also
    # further places to weigh it against.
    first_value = 0
    if any(u[1] for u in units) and any(u[2] for u in units):
        first_value = 1 + sum(plan.needs[i].candidates[-1].cost for u in units for i in u[0])
    supply = sum(u[1] + u[2] for u in units)

    next_node = 2  # 0 is the source, 1 the sink
    source, sink = 0, 1
    tails, heads, capacities, costs = [], [], [], []
    offer_node: dict[int, int] = {}
    edges = []  # (arc index, need index, candidate)
    for indices, first, further in units:
        if len(indices) == 1:  # no student node needed: the source feeds the need
            need_nodes = [next_node]
            next_node += 1
            tails.append(source)
            heads.append(need_nodes[0])
            capacities.append(1)
            costs.append(-first_value if first else 0)
        else:
            student_node, next_node = next_node, next_node + 1
            need_nodes = list(range(next_node, next_node + len(indices)))
            next_node += len(indices)
            for capacity, cost in ((first, -first_value), (further, 0)):
                if capacity:
                    tails.append(source)
                    heads.append(student_node)
                    capacities.append(capacity)
                    costs.append(cost)
            for node in need_nodes:
                tails.append(student_node)
                heads.append(node)
                capacities.append(1)
                costs.append(0)
        for i, node in zip(indices, need_nodes, strict=True):
            for candidate in plan.needs[i].candidates:
                offer = offer_node.get(candidate.offer)
                if offer is None:
                    offer = offer_node[candidate.offer] = next_node
                    next_node += 1
                edges.append((len(tails), i, candidate))
                tails.append(node)
                heads.append(offer)
                capacities.append(1)
                costs.append(candidate.cost)
    school_node: dict[int, int] = {}
    for offer, node in offer_node.items():
        school = problem.offers[offer].school_id
        if school not in school_node:
            school_node[school], next_node = next_node, next_node + 1
        tails.append(node)
        heads.append(school_node[school])
        capacities.append(max(problem.offers[offer].places - used.offer[offer], 0))
        costs.append(0)
    for school, node in school_node.items():
        capacity = problem.school_capacity.get(school)
        tails.append(node)
        heads.append(sink)
        capacities.append(supply if capacity is None else max(capacity - used.school[school], 0))
        costs.append(0)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, np.int32),
        np.array(heads, np.int32),
        np.array(capacities, np.int64),
        np.array(costs, np.int64),
    )
    # More supply than can flow when places are short: the solver sends the most it can,
    # at least cost.
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    flows = flow.flows(np.array([e[0] for e in edges], np.int32))
    return {i: candidate for (_, i, candidate), n in zip(edges, flows, strict=True) if n > 0}


def _warm_start(problem: Problem, plan: _Plan) -> dict[int, Candidate]:
    """A good allocation without the integer programme, in the order of the rule: one place
    for as many students without a pair as the flow can give, then each paired student's
    cheapest pair that still fits, then the second subjects by the flow on what is left;
    or the pairs first, then the same two flows, when that is better by the rule."""

    def in_order(pairs_first: bool) -> dict[int, Candidate]:
        chosen: dict[int, Candidate] = {}
        used = _Usage(problem)
        if pairs_first:
            _add_pairs(problem, plan, chosen, used)
        firsts = _flow(problem, plan, used, seconds=False)
        chosen.update(firsts)
        for candidate in firsts.values():
            used.take(candidate.offer)
        if not pairs_first:
            _add_pairs(problem, plan, chosen, used)
        # Only students with a place can take more: a student the flow left out has no
        # free path to a place, and the pairs only took places away.
        held = {plan.needs[i].student: 1 for i in firsts}
        rest = [i for i in plan.singles if i not in firsts and plan.needs[i].student in held]
        chosen.update(_flow(problem, plan, used, needs=rest, held=held))
        return chosen

    return max(map(in_order, (False, True)), key=lambda c: _rank(problem, plan, c))


def _add_pairs(problem: Problem, plan: _Plan, chosen: dict[int, Candidate], used) -> None:
    for a, b, pairs in plan.paired:
        pair = next((p for p in pairs if used.fits_pair(p.first.offer, p.second.offer)), None)
        if pair is not None:
            used.take(pair.first.offer)
            used.take(pair.second.offer)
            chosen[a], chosen[b] = pair.first, pair.second


def _integer(problem: Problem, plan: _Plan, time_limit: float):
    """A mixed-integer programme (OR-Tools with CBC) in three phases: the most students
    with a place, then the most needs with that many, then the least cost with those;
    returns ``(chosen, optimal)``. When the time runs out before it finds an allocation,
    it answers with :func:`_warm_start`."""
    from ortools.linear_solver import pywraplp

    needs = plan.needs
    model = pywraplp.Solver.CreateSolver("CBC")
    by_offer, by_school = defaultdict(list), defaultdict(list)
    count_terms, cost_terms, chosen_of = [], [], []
    #: Per student, the sums of options of each of their units (a need or a pair).
    units_of: dict[int, list] = defaultdict(list)

    def option(picks: dict[int, Candidate], cost: int):
        variable = model.BoolVar(f"o{len(chosen_of)}")
        for candidate in picks.values():
            by_offer[candidate.offer].append(variable)
            # A paired option is listed twice here: it takes two of the school's places.
            by_school[problem.offers[candidate.offer].school_id].append(variable)
        count_terms.append(len(picks) * variable)
        cost_terms.append(cost * variable)
        chosen_of.append((variable, picks))
        return variable

    for i in plan.singles:
        if needs[i].candidates:
            unit = sum(option({i: c}, c.cost) for c in needs[i].candidates)
            model.Add(unit <= 1)
            units_of[needs[i].student].append(unit)
    for a, b, pairs in plan.paired:
        if pairs:
            unit = sum(option({a: p.first, b: p.second}, p.cost) for p in pairs)
            model.Add(unit <= 1)
            units_of[needs[a].student].append(unit)
    if not chosen_of:
        return {}, True
    for offer, variables in by_offer.items():
        if len(variables) > problem.offers[offer].places:
            model.Add(sum(variables) <= max(problem.offers[offer].places, 0))
    for school, variables in by_school.items():
        capacity = problem.school_capacity.get(school)
        if capacity is not None and len(variables) > capacity:
            model.Add(sum(variables) <= max(capacity, 0))
    student_terms = []
    for student, units in units_of.items():
        if len(units) == 1:
            student_terms.append(units[0])
            continue
        # Has a place: at most 1, and only with a place for one of the needs.
        has_place = model.NumVar(0, 1, f"s{student}")
        model.Add(has_place <= sum(units))
        student_terms.append(has_place)
    deadline = time.perf_counter() + time_limit
    statuses = []
    phases = [(sum(student_terms), True), (sum(count_terms), True), (sum(cost_terms), False)]
    for number, (objective, maximise) in enumerate(phases):
        if number:
            value = round(model.Objective().Value())
            previous = phases[number - 1][0]
            model.Add(previous >= value)
        if maximise:
            model.Maximize(objective)
        else:
            model.Minimize(objective)
        model.SetTimeLimit(max(int((deadline - time.perf_counter()) * 1000), 1000))
        statuses.append(model.Solve())
        if statuses[-1] not in (model.OPTIMAL, model.FEASIBLE):
            return _warm_start(problem, plan), False
    chosen: dict[int, Candidate] = {}
    for variable, picks in chosen_of:
        if variable.solution_value() > 0.5:
            chosen.update(picks)
    return chosen, all(status == model.OPTIMAL for status in statuses)


# ------------------------------------------------------------------- explanations


def _solution(problem, plan, chosen, method, optimal, seconds) -> Solution:
    used = _Usage(problem)
    for candidate in chosen.values():
        used.take(candidate.offer)
    assignments = []
    for index, need in enumerate(plan.needs):
        student = problem.students[need.student]
        candidate = chosen.get(index)
        if candidate is not None:
            offer = problem.offers[candidate.offer]
            reason = WISH if candidate.rank else NEAREST_FREE
            assignments.append(
                Assignment(
                    student.id, need.subject_id, offer.id, candidate.rank, candidate.km, reason
                )
            )
            continue
        reason, binding = _why_not(problem, plan, index, need, used)
        assignments.append(
            Assignment(
                student.id,
                need.subject_id,
                None,
                None,
                None,
                reason,
                binding,
                need.nearest_km,
            )
        )
    cost = sum(c.cost for c in chosen.values())
    return Solution(assignments, method, optimal, seconds, cost)


def _why_not(problem: Problem, plan: _Plan, index: int, need: Need, used: _Usage):
    """The reason code of an unplaced need and the capacity that binds it."""
    if not need.candidates:
        return need.empty_reason or NO_OFFER, None
    pairs = plan.pairs_of.get(index)
    if pairs is not None and not pairs:
        return NO_PAIR, None
    options = (
        [c for pair in pairs for c in (pair.first, pair.second)]
        if pairs is not None
        else need.candidates
    )
    # The school's capacity first: a free place on a full school's offer would not help.
    slots = 2 if pairs is not None else 1
    for candidate in options:
        offer = problem.offers[candidate.offer]
        capacity = problem.school_capacity.get(offer.school_id)
        if capacity is not None and used.school[offer.school_id] + slots > capacity:
            return FULL, Binding("school", offer.school_id)
        if used.offer[candidate.offer] >= offer.places:
            return FULL, Binding("offer", offer.id)
    return FULL, None
