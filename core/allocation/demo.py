"""Wishes for the demo students, so an allocation can be run on the demo cohort.

:func:`add_wishes` is meant to be called by the demo generator after the students and
offers exist. Deterministic: every choice comes from the ``random.Random`` it is given,
over lists in a fixed order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.allocation.loading import postcode_regions
from core.allocation.models import StudentWishes, WishChoice
from core.catalogue.models import Subject
from core.demo.bulk import write_objects
from core.institutions.models import Institution, institution_levels
from core.offers.models import Offer, OfferStatus
from core.offers.school_years import school_year_of
from core.placements.models import PlacementRequest, Student

DISTANCES = (15, 20, 25, 30, 40, 50)


def add_wishes(
    session: Session, rng: random.Random, today: date | None = None, share: float = 1.0
) -> int:
    """Give ``share`` of the students without wishes a level, one or two subjects, a
    maximum distance and up to three wished schools with offers this school year; return
    how many got wishes."""
    school_year = school_year_of(today or date.today())
    offers: dict[int, list[int]] = defaultdict(list)  # subject → schools offering it
    nearby: dict[tuple[int, str], list[int]] = defaultdict(list)  # ... in one region
    for subject_id, school_id, region in session.execute(
        select(Offer.subject_id, Offer.school_id, Institution.region_code)
        .join(Institution, Institution.id == Offer.school_id)
        .where(Offer.school_year == school_year, Offer.status == OfferStatus.PUBLISHED)
        .order_by(Offer.id)
    ):
        offers[subject_id].append(school_id)
        nearby[subject_id, region].append(school_id)
    by_level: dict[str, list[int]] = defaultdict(list)
    for subject_id, level_code in session.execute(
        select(Subject.id, Subject.level_code).where(Subject.active).order_by(Subject.id)
    ):
        if subject_id in offers:
            by_level[level_code].append(subject_id)
    levels: dict[int, list[str]] = defaultdict(list)
    for programme_id, level_code in session.execute(
        select(institution_levels.c.institution_id, institution_levels.c.level_code).order_by(
            institution_levels.c.institution_id, institution_levels.c.level_code
        )
    ):
        if by_level.get(level_code):
            levels[programme_id].append(level_code)
    requested: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for student_id, level_code, subject_id in session.execute(
        select(
            PlacementRequest.student_id, PlacementRequest.level_code, PlacementRequest.subject_id
        ).order_by(PlacementRequest.id)
    ):
        requested[student_id].append((level_code, subject_id))
    homes = postcode_regions()
    students = session.execute(
        select(Student.id, Student.programme_id, homes.c.region_code)
        .outerjoin(homes, homes.c.postcode == Student.home_postcode)
        .where(Student.id.not_in(select(StudentWishes.student_id)))
        .order_by(Student.id)
    ).all()
    fallback = sorted(by_level)
    new_wishes: list[StudentWishes] = []
    for student_id, programme_id, home_region in students:
        if rng.random() >= share or not fallback:
            continue
        known = [pair for pair in requested.get(student_id, []) if pair[1] in offers]
        level = known[0][0] if known else rng.choice(levels.get(programme_id) or fallback)
        subjects = list(dict.fromkeys(s for lvl, s in known if lvl == level))[:2]
        if not subjects:
            subjects = [rng.choice(by_level[level])]
        if len(subjects) == 1 and level == "secondary" and rng.random() < 0.6:
            second = rng.choice(by_level[level])
            if second != subjects[0]:
                subjects.append(second)
        # Wished schools lie in the student's own region when it has any.
        schools = list(dict.fromkeys(nearby.get((subjects[0], home_region)) or offers[subjects[0]]))
        wished = rng.sample(schools, min(len(schools), rng.randint(0, 3)))
        wishes = StudentWishes(
            student_id=student_id,
            level_code=level,
            subject_id=subjects[0],
            second_subject_id=subjects[1] if len(subjects) > 1 else None,
            same_school=len(subjects) > 1 and rng.random() < 0.3,
            max_km=rng.choice(DISTANCES),
        )
        wishes.choices = [
            WishChoice(rank=rank, school_id=school_id) for rank, school_id in enumerate(wished, 1)
        ]
        new_wishes.append(wishes)
    write_objects(session, new_wishes)  # tens of thousands at Flanders scale
    return len(new_wishes)
