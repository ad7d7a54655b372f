"""The allocation of a whole cohort, timed and compared with greedy in the same run.

:func:`run` loads every student with wishes (or, when none recorded any, wishes drawn
for all students as the demo does, never committed) and the offer of the current school
year from a database, then times :func:`core.allocation.solver.solve` and
:func:`core.allocation.solver.greedy` on the same problem. ``python -m bench.allocation``
runs the same comparison on a synthetic Flanders-sized problem, without a database.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date

from core.allocation import solver
from core.allocation.solver import OfferData, Problem, StudentData, Wish

#: Flanders: about 30,000 teacher-training students and 60,000 offers.
FLANDERS_STUDENTS, FLANDERS_OFFERS = 30_000, 60_000


def compare(problem: Problem, label: str, load_seconds: float = 0.0) -> dict:
    """One result row: the optimal allocation and greedy on the same problem (students
    with a place, students with a place for every need, needs placed, wishes met)."""
    best = solver.solve(problem)
    started = time.perf_counter()
    baseline = solver.greedy(problem)
    greedy_seconds = time.perf_counter() - started
    return {
        "operation": f"allocation ({label})",
        "seconds": round(best.seconds, 3),
        "load_seconds": round(load_seconds, 3),
        "greedy_seconds": round(greedy_seconds, 3),
        "method": best.method,
        "optimal": best.optimal,
        "students": len({a.student_id for a in best.assignments}),
        "needs": len(best.assignments),
        # In the order of the rule: students with a place, then needs placed, then wishes.
        "students_with_place": best.students_with_place,
        "greedy_students_with_place": baseline.students_with_place,
        "students_placed": best.students_placed,
        "greedy_students_placed": baseline.students_placed,
        "placed": best.placed,
        "greedy_placed": baseline.placed,
        "wishes_met": best.wishes_met,
        "greedy_wishes_met": baseline.wishes_met,
    }


def run(database_url: str) -> list[dict]:
    """Allocate the cohort in the database at ``database_url`` (see the module docstring)."""
    from core.allocation.demo import add_wishes
    from core.allocation.loading import Cohort, load_problem
    from core.app import create_app
    from core.database import database
    from core.offers.school_years import bounds, school_year_of
    from core.plugins.manager import plugins_of

    app = create_app({"DATABASE_URL": database_url})
    year = school_year_of(date.today())
    with app.app_context(), database(app).sessionmaker() as session:
        drawn = False
        if not session.scalar(_any_wishes()):
            add_wishes(session, random.Random(2017))
            drawn = True
        started = time.perf_counter()
        problem, _ = load_problem(session, plugins_of(app), Cohort(year, bounds(year)))
        load_seconds = time.perf_counter() - started
        session.rollback()  # drawn wishes are never kept
    label = f"{len(problem.students):,} students, {len(problem.offers):,} offers"
    if drawn:
        label += ", drawn wishes"
    database(app).dispose()
    return [compare(problem, label, load_seconds)]


def _any_wishes():
    from sqlalchemy import select

    from core.allocation.models import StudentWishes

    return select(StudentWishes.id).limit(1)


def synthetic_problem(
    students: int = FLANDERS_STUDENTS,
    offers: int = FLANDERS_OFFERS,
    seed: int = 2017,
    paired_share: float = 0.05,
) -> Problem:
    """A Flanders-shaped problem: 3,850 schools at 300 municipality points, 60 subjects,
    a third of the students with two subjects (some at one school), up to three wished
    schools of their region, school capacities for two thirds of the schools."""
    rng = random.Random(seed)
    points = [(50.75 + rng.random() * 0.65, 2.6 + rng.random() * 3.2) for _ in range(300)]
    schools = {school: rng.randrange(len(points)) for school in range(1, 3851)}
    subjects = list(range(1, 61))
    popular = [1 + int(rng.paretovariate(1.2)) % 60 for _ in range(200)]
    offer_rows = []
    by_point: dict[int, list[int]] = {}
    for number in range(1, offers + 1):
        school = rng.randint(1, len(schools))
        lat, lon = points[schools[school]]
        subject = rng.choice(subjects)
        offer_rows.append(
            OfferData(
                number, school, "secondary", subject, rng.choice((1, 1, 2, 3)), lat=lat, lon=lon
            )
        )
        by_point.setdefault(schools[school], []).append(school)
    student_rows = []
    for number in range(1, students + 1):
        home = rng.randrange(len(points))
        first = rng.choice(popular)
        wanted = (first,) if rng.random() < 0.66 else (first, rng.choice(subjects))
        wanted = tuple(dict.fromkeys(wanted))
        near = by_point.get(home) or [rng.randint(1, len(schools))]
        student_rows.append(
            StudentData(
                number,
                "secondary",
                wanted,
                tuple(Wish(school_id=rng.choice(near)) for _ in range(rng.randint(0, 3))),
                same_school=len(wanted) == 2 and rng.random() < paired_share * 3,
                max_km=rng.choice((20.0, 30.0, 40.0, 50.0)),
                lat=points[home][0],
                lon=points[home][1],
            )
        )
    capacity = {s: rng.randint(2, 10) for s in schools if rng.random() < 0.66}
    return Problem(student_rows, offer_rows, capacity)


def main(argv: list[str]) -> int:
    """``python -m bench.allocation [DATABASE_URL]``: print the comparison."""
    if argv:
        rows = run(argv[0])
    else:
        started = time.perf_counter()
        problem = synthetic_problem()
        rows = [compare(problem, "synthetic Flanders", time.perf_counter() - started)]
    for row in rows:
        print(", ".join(f"{key}={value}" for key, value in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
