"""Allocation proposals: the solver against brute force, greedy, explanations, proposals
(editing, sending as requests all or none), wishes and who may see what."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from sqlalchemy import func, select

from core.access.policy import Actor, Denied
from core.allocation import services, solver
from core.allocation.models import Proposal, ProposalStatus
from core.allocation.reasons import line_reason
from core.allocation.solver import OfferData, Problem, StudentData, Wish
from core.offers.models import OfferStatus
from core.placements.models import PlacementRequest, RequestStatus, Student
from core.plugins.manager import plugins_of
from tests.factories import make_offer, make_request, make_school
from tests.world import build_world

# ------------------------------------------------------------------ brute force


def by_the_rule(chosen: dict[int, solver.Candidate], plan) -> tuple[int, int, int]:
    """The rule, higher is better: students with a place, then needs placed, then the least
    wish cost."""
    students = {plan.needs[i].student for i in chosen}
    return len(students), len(chosen), -sum(c.cost for c in chosen.values())


def by_needs(chosen: dict[int, solver.Candidate], plan) -> tuple[int, int]:
    """The former rule: needs placed, then the least wish cost."""
    return len(chosen), -sum(c.cost for c in chosen.values())


def brute_force(problem: Problem, key=by_the_rule):
    """The best ``key`` by trying every allocation of the candidates, and one allocation
    (need index → candidate) that reaches it."""
    plan = solver._Plan.of(problem)
    units = [[None, *({i: c} for c in plan.needs[i].candidates)] for i in plan.singles]
    units += [[None, *({a: p.first, b: p.second} for p in pairs)] for a, b, pairs in plan.paired]
    best, best_chosen = None, None
    for combination in itertools.product(*units):
        used = solver._Usage(problem)
        chosen = {i: c for pick in combination if pick for i, c in pick.items()}
        for candidate in chosen.values():
            used.take(candidate.offer)
        if any(used.offer[o] > problem.offers[o].places for o in used.offer):
            continue
        if any(
            problem.school_capacity.get(s) is not None and n > problem.school_capacity[s]
            for s, n in used.school.items()
        ):
            continue
        score = key(chosen, plan)
        if best is None or score > best:
            best, best_chosen = score, chosen
    return best, best_chosen


def random_problem(rng: random.Random, students: int, offers: int, pairs: bool) -> Problem:
    philosophy = 9
    offer_rows = [
        OfferData(
            id=100 + k,
            school_id=rng.randint(1, 3),
            level="secondary",
            subject_id=rng.choice([1, 2, philosophy]),
            places=rng.randint(0, 2),
            start=rng.choice([0, 10, solver.OPEN_START]),
            end=rng.choice([20, 30, solver.OPEN_END]),
            lat=51 + rng.random() * 0.3,
            lon=4 + rng.random() * 0.3,
        )
        for k in range(offers)
    ]
    student_rows = []
    for k in range(students):
        subjects = tuple(rng.sample([1, 2, philosophy], rng.choice([1, 1, 2])))
        wishes = tuple(
            Wish(offer_id=rng.choice(offer_rows).id)
            if rng.random() < 0.5
            else Wish(school_id=rng.randint(1, 3))
            for _ in range(rng.randint(0, 3))
        )
        student_rows.append(
            StudentData(
                id=k + 1,
                level="secondary",
                subjects=subjects,
                wishes=wishes,
                same_school=pairs and len(subjects) == 2 and rng.random() < 0.7,
                max_km=rng.choice([None, 15.0, 30.0]),
                start=rng.choice([0, 15, solver.OPEN_START]),
                end=rng.choice([25, solver.OPEN_END]),
                lat=51 + rng.random() * 0.3,
                lon=4 + rng.random() * 0.3,
            )
        )
    capacity = {s: rng.randint(1, 3) for s in (1, 2, 3) if rng.random() < 0.6}
    return Problem(
        student_rows,
        offer_rows,
        school_capacity=capacity,
        teaching={philosophy: frozenset({1, 2})},
        nearest=50,
    )


def _score(solution: solver.Solution) -> tuple[int, int, int]:
    return solution.students_with_place, solution.placed, -solution.cost


@pytest.mark.parametrize("seed", range(40))
def test_the_flow_is_optimal_on_small_cases(seed):
    problem = random_problem(random.Random(seed), students=4, offers=5, pairs=False)
    solution = solver.solve(problem)
    assert solution.method == "flow"
    assert _score(solution) == brute_force(problem)[0]


@pytest.mark.parametrize("seed", range(30))
def test_the_integer_programme_is_optimal_with_two_subjects_at_one_school(seed):
    problem = random_problem(random.Random(1000 + seed), students=4, offers=6, pairs=True)
    solution = solver.solve(problem)
    assert _score(solution) == brute_force(problem)[0]
    for student in problem.students:
        if not student.paired:
            continue
        offers = {a.offer_id for a in solution.assignments if a.student_id == student.id}
        schools = {o.school_id for o in problem.offers if o.id in offers}
        assert None in offers and len(offers) == 1 or (None not in offers and len(schools) == 1)


def _offer(id, school=1, subject=1, places=1, **extra) -> OfferData:
    return OfferData(id=id, school_id=school, level="secondary", subject_id=subject,
                     places=places, **extra)  # fmt: skip


def _student(id, wishes=(), subjects=(1,), **extra) -> StudentData:
    return StudentData(id=id, level="secondary", subjects=subjects, wishes=tuple(wishes), **extra)


def test_nobody_is_left_out_for_a_better_school_and_wishes_are_spread():
    # A wants X then Y; B wants X only. Greedy gives X to A, B gets nothing.
    problem = Problem(
        [
            _student(1, [Wish(offer_id=10), Wish(offer_id=11)]),
            _student(2, [Wish(offer_id=10)]),
        ],
        [_offer(10, school=1), _offer(11, school=2)],
        nearest=0,
    )
    best, first_come = solver.solve(problem), solver.greedy(problem)
    assert best.placed == 2 and first_come.placed == 1
    assert {a.student_id: a.offer_id for a in best.assignments} == {1: 11, 2: 10}


@pytest.mark.parametrize("with_pair", [False, True])
def test_nobody_is_left_without_a_place_for_another_students_second_subject(with_pair):
    # Student 1 needs subjects 1 and 2 and wishes school 1, which has one place for each;
    # student 2 needs subject 2 and wished nothing. Both allocations place two needs, and
    # the former rule (needs, then wish cost) gave student 1 both places (two first
    # wishes) and student 2 none. The rule now gives each of them a place.
    students = [
        _student(1, [Wish(school_id=1)], subjects=(1, 2)),
        _student(2, subjects=(2,)),
    ]
    offers = [_offer(10, school=1, subject=1), _offer(11, school=1, subject=2)]
    if with_pair:  # a student with both subjects at one school: the integer programme
        students.append(_student(3, [Wish(school_id=2)], subjects=(1, 2), same_school=True))
        offers += [_offer(12, school=2, subject=1), _offer(13, school=2, subject=2)]
    problem = Problem(students, offers)
    plan = solver._Plan.of(problem)
    _, former = brute_force(problem, key=by_needs)
    former_students = {plan.needs[i].student for i in former}
    assert len(former) == 2 + 2 * with_pair and 1 not in former_students  # student 2 out

    best = solver.solve(problem)
    assert best.method == ("integer" if with_pair else "flow") and best.optimal
    places = {(a.student_id, a.subject_id): a.offer_id for a in best.assignments}
    assert places[1, 1] == 10 and places[1, 2] is None and places[2, 2] == 11
    assert best.students_with_place == 2 + with_pair
    assert best.students_placed == 1 + with_pair and best.placed == 2 + 2 * with_pair
    # Greedy, first come first served, still gives student 1 both places.
    first_come = solver.greedy(problem)
    assert (first_come.students_with_place, first_come.students_placed) == (1 + with_pair,) * 2


def test_the_convex_cost_prefers_two_second_wishes_to_a_first_and_a_third():
    # Linear costs tie (1 + 3 = 2 + 2); the convex cost does not.
    offers = [_offer(10, school=1), _offer(11, school=2), _offer(12, school=3, places=0)]
    problem = Problem(
        [
            _student(1, [Wish(offer_id=10), Wish(offer_id=11)]),
            _student(2, [Wish(offer_id=12), Wish(offer_id=10), Wish(offer_id=11)]),
        ],
        offers,
        nearest=0,
    )
    ranks = sorted(a.wish_rank for a in solver.solve(problem).assignments)
    assert ranks == [2, 2]


def test_the_school_year_capacity_binds_and_is_named():
    problem = Problem(
        [_student(1, [Wish(school_id=1)]), _student(2, [Wish(school_id=1)])],
        [_offer(10, school=1, places=1), _offer(11, school=1, places=1)],
        school_capacity={1: 1},
        nearest=0,
    )
    solution = solver.solve(problem)
    assert solution.placed == 1
    left = next(a for a in solution.assignments if a.offer_id is None)
    assert left.reason == solver.FULL and left.binding == solver.Binding("school", 1)


def test_a_full_offer_binds_and_is_named():
    problem = Problem(
        [_student(1, [Wish(offer_id=10)]), _student(2, [Wish(offer_id=10)])],
        [_offer(10, places=1)],
        nearest=0,
    )
    left = next(a for a in solver.solve(problem).assignments if a.offer_id is None)
    assert left.binding == solver.Binding("offer", 10)


@pytest.mark.parametrize(
    ("student", "offer", "reason"),
    [
        (_student(1, subjects=(2,)), _offer(10), solver.NO_OFFER),
        (_student(1, subjects=(9,)), _offer(10, school=3, subject=9), solver.NOT_TAUGHT),
        (_student(1, start=50, end=60), _offer(10, start=0, end=40), solver.NO_PERIOD),
        (
            _student(1, lat=51.0, lon=4.0, max_km=10),
            _offer(10, lat=51.5, lon=4.0),
            solver.TOO_FAR,
        ),
    ],
)
def test_every_kind_of_incompatibility_is_explained(student, offer, reason):
    problem = Problem([student], [offer], teaching={9: frozenset({1})})
    (assignment,) = solver.solve(problem).assignments
    assert assignment.offer_id is None and assignment.reason == reason
    if reason == solver.TOO_FAR:
        assert 50 < assignment.nearest_km < 60


def test_two_subjects_at_one_school_go_together_or_not_at_all():
    problem = Problem(
        [_student(1, subjects=(1, 2), same_school=True, wishes=[Wish(school_id=1)])],
        [_offer(10, school=1, subject=1), _offer(11, school=2, subject=2)],
    )
    solution = solver.solve(problem)
    assert solution.method == "integer" and solution.placed == 0
    assert {a.reason for a in solution.assignments} == {solver.NO_PAIR}
    problem.offers.append(_offer(12, school=1, subject=2))
    solution = solver.solve(problem)
    assert {a.offer_id for a in solution.assignments} == {10, 12}


def test_the_nearest_compatible_offer_is_chosen_without_wishes():
    problem = Problem(
        [_student(1, lat=51.0, lon=4.0, max_km=50)],
        [_offer(10, lat=51.3, lon=4.0), _offer(11, lat=51.05, lon=4.0)],
    )
    (assignment,) = solver.solve(problem).assignments
    assert assignment.offer_id == 11 and assignment.reason == solver.NEAREST_FREE
    assert 5 < assignment.distance_km < 6


def test_no_place_at_a_school_where_the_student_already_has_an_open_request():
    problem = Problem(
        [_student(1, [Wish(school_id=1)], busy_at=frozenset({1}))],
        [_offer(10, school=1), _offer(11, school=2)],
    )
    for solution in (solver.solve(problem), solver.greedy(problem)):
        assert [a.offer_id for a in solution.assignments] == [11]


def test_greedy_is_never_better_than_the_solver():
    for seed in range(20):
        problem = random_problem(random.Random(500 + seed), students=5, offers=5, pairs=seed % 2)
        assert _score(solver.greedy(problem)) <= _score(solver.solve(problem))


# ------------------------------------------------------------------ proposals


PERIOD = (date(2026, 10, 5), date(2026, 10, 30))


def _actor(world, key: str) -> Actor:
    return Actor(world.users[key], world.memberships.get(key))


def _cohort(db, world, count: int, wishes=None) -> list[Student]:
    """``count`` students of programme A living by school A, each wishing school A (the
    offer of school B is closed, so only offer A and those a test adds are open)."""
    offer = world.offers["a"]
    world.offers["b"].status = OfferStatus.CLOSED
    school = world.institutions["school_a"]
    students = []
    for number in range(count):
        student = Student(
            programme=world.institutions["programme_a"],
            first_name=f"Student{number}",
            last_name="Claes",
            email=f"s{number}@example.org",
            student_number=f"a{number}",
            home_postcode=school.campuses[0].postcode,
        )
        db.add(student)
        db.flush()
        values = wishes or services.WishValues(
            "secondary", offer.subject_id, max_km=30, choices=[(school.id, None)]
        )
        services.save_wishes(db, _actor(world, "programme_coordinator_a"), student.id, values)
        students.append(student)
    db.commit()
    return students


def _run(app, db, world, key="programme_coordinator_a"):
    with app.test_request_context():
        proposal = services.run_allocation(
            db,
            plugins_of(app),
            _actor(world, key),
            services.RunValues("2026-2027", *PERIOD),
        )
        db.commit()
    return proposal


def test_a_run_places_the_cohort_and_explains_every_line(app, db):
    world = build_world(db)
    students = _cohort(db, world, 3)  # offer A has 2 places
    proposal = _run(app, db, world)
    lines = services.proposal_lines(db, proposal)
    assert len(lines) == 3 and proposal.status is ProposalStatus.DRAFT
    placed = [line for line in lines if line.offer_id]
    assert len(placed) == 2 and {line.wish_rank for line in placed} == {1}
    (left,) = [line for line in lines if not line.offer_id]
    assert left.detail["binding"]["kind"] == "offer"
    with app.test_request_context():
        assert "Wens 1 vervuld" in line_reason(placed[0])
        assert "Eén plaats meer bij dat aanbod" in line_reason(left)
    assert {line.student_id for line in lines} == {s.id for s in students}
    assert db.scalar(select(func.count(PlacementRequest.id))) == 2  # the world's; none new


def test_a_line_is_edited_and_the_proposal_sent_as_submitted_requests(app, db):
    world = build_world(db)
    extra = make_offer(db, world.institutions["school_a"], subject=world.offers["a"].subject)
    db.commit()
    _cohort(db, world, 2)
    proposal = _run(app, db, world)
    coordinator = _actor(world, "programme_coordinator_a")
    line = services.proposal_lines(db, proposal)[0]
    with app.test_request_context():
        options = services.line_options(db, plugins_of(app), line)
        assert extra.id in {o.offer_id for o in options}
        services.edit_line(db, plugins_of(app), coordinator, line, extra.id)
        db.commit()
        assert line.reason == services.EDITED and line.offer_id == extra.id
        created = services.send_proposal(db, plugins_of(app), coordinator, proposal)
        db.commit()
    assert len(created) == 2
    assert {r.status for r in created} == {RequestStatus.SUBMITTED}
    assert extra.id in {r.offer_id for r in created}
    assert created[0].period_start >= PERIOD[0] and created[0].period_end <= PERIOD[1]
    assert proposal.status is ProposalStatus.SENT
    with app.test_request_context(), pytest.raises(services.AllocationRefused):
        services.send_proposal(db, plugins_of(app), coordinator, proposal)


def test_a_student_with_a_draft_at_the_school_is_placed_elsewhere_and_sent(app, db):
    world = build_world(db)
    elsewhere = make_school(db, name="Andere school")
    elsewhere.campuses[0].postcode = world.institutions["school_a"].campuses[0].postcode
    make_offer(db, elsewhere, subject=world.offers["a"].subject)
    (student,) = _cohort(db, world, 1)
    draft = make_request(db, school=world.institutions["school_a"])
    draft.student, draft.programme = student, student.programme
    draft.period_start, draft.period_end = PERIOD
    db.commit()
    proposal = _run(app, db, world)
    (line,) = services.proposal_lines(db, proposal)
    assert line.offer.school_id == elsewhere.id
    with app.test_request_context():
        (sent,) = services.send_proposal(
            db, plugins_of(app), _actor(world, "programme_coordinator_a"), proposal
        )
    assert sent.school_id == elsewhere.id


def test_sending_is_all_or_nothing(app, db):
    world = build_world(db)
    other = make_school(db, name="School C")
    make_offer(db, other, subject=world.offers["a"].subject)
    db.commit()
    _cohort(db, world, 3)
    proposal = _run(app, db, world)
    assert sum(line.offer_id is not None for line in proposal.lines) == 3
    world.offers["a"].status = OfferStatus.CLOSED  # closed after the run
    db.commit()
    before = db.scalar(select(func.count(PlacementRequest.id)))
    with app.test_request_context():
        with pytest.raises(services.AllocationRefused) as refused:
            services.send_proposal(
                db, plugins_of(app), _actor(world, "programme_coordinator_a"), proposal
            )
        db.rollback()
    assert len(refused.value.errors) == 2  # the two lines on the closed offer
    assert db.scalar(select(func.count(PlacementRequest.id))) == before
    db.refresh(proposal)
    assert proposal.status is ProposalStatus.DRAFT


def test_an_edit_beyond_the_places_is_refused(app, db):
    world = build_world(db)
    _cohort(db, world, 3)
    proposal = _run(app, db, world)
    left = next(line for line in proposal.lines if line.offer_id is None)
    with app.test_request_context(), pytest.raises(services.AllocationRefused):
        services.edit_line(
            db,
            plugins_of(app),
            _actor(world, "programme_coordinator_a"),
            left,
            world.offers["a"].id,
        )


def test_another_programme_can_neither_see_nor_change_a_proposal(app, db):
    world = build_world(db)
    students = _cohort(db, world, 1)
    proposal = _run(app, db, world)
    for key in ("programme_coordinator_b", "school_coordinator_a", "student_b"):
        with pytest.raises(Denied):
            services.proposal_for(db, _actor(world, key), proposal.id)
        with pytest.raises(Denied):
            services.student_for_wishes(db, _actor(world, key), students[0].id)


def test_a_student_edits_their_own_wishes_only(app, db):
    world = build_world(db)
    own = world.requests["a"].student
    offer = world.offers["a"]
    values = services.WishValues("secondary", offer.subject_id, max_km=20)
    services.save_wishes(db, _actor(world, "student_a"), own.id, values)
    other = _cohort(db, world, 1)[0]
    with pytest.raises(Denied):
        services.save_wishes(db, _actor(world, "student_a"), other.id, values)


def test_wishes_are_checked(app, db):
    world = build_world(db)
    student = world.requests["a"].student
    subject = world.offers["a"].subject_id
    values = services.WishValues(
        "secondary", subject, second_subject_id=subject, same_school=False, max_km=900,
        period_start=date(2026, 10, 1), choices=[(999999, None)] * 6,
    )  # fmt: skip
    with app.test_request_context(), pytest.raises(services.AllocationRefused) as refused:
        services.save_wishes(db, _actor(world, "programme_coordinator_a"), student.id, values)
    assert set(refused.value.errors) == {"second_subject_id", "max_km", "period_start", "choices"}


def test_the_shortage_names_subjects_and_regions_without_enough_places(app, db):
    world = build_world(db)
    _cohort(db, world, 5)  # offer A: 2 free places in Oost-Vlaanderen
    rows = services.shortage(db, plugins_of(app), "2026-2027", world.institutions["programme_a"].id)
    top = rows[0]
    assert (top.region_code, top.needs, top.places, top.lacking) == ("oost-vlaanderen", 5, 2, 3)


# ----------------------------------------------------------------------- web pages


def _signed_in(app, world, key="programme_coordinator_a"):
    from tests.world import sign_in

    client = app.test_client()
    sign_in(client, world.users[key], world.memberships.get(key))
    return client


def test_the_coordinator_runs_edits_and_sends_from_the_web_pages(make_app, app, db):
    world = build_world(db)
    _cohort(db, world, 3)
    client = _signed_in(make_app(WTF_CSRF_ENABLED=False), world)
    assert "De regel:" in client.get("/toewijzing").get_data(as_text=True)
    form = {"school_year": "2026-2027", "period_start": "2026-10-05", "period_end": "2026-10-30",
            "kind": "teaching"}  # fmt: skip
    refused = client.post("/toewijzing", data={**form, "period_end": "2026-09-01"})
    assert refused.status_code == 200 and "De einddatum ligt voor de begindatum" in refused.text
    response = client.post("/toewijzing", data={**form, "level_code": ""})
    assert response.status_code == 302, response.text
    page = client.get(response.location).get_data(as_text=True)
    assert "Geplaatst: 2 van 3" in page and "Wens 1 vervuld" in page
    proposal_id = int(response.location.rsplit("/", 1)[1])
    lines = services.proposal_lines(db, db.get(Proposal, proposal_id))
    placed = next(line for line in lines if line.offer_id)
    url = f"/toewijzing/{proposal_id}/regels/{placed.id}"
    assert "Geen plaats voorstellen" in client.get(url).text
    assert client.post(url, data={"offer_id": "nonsense"}).status_code == 200
    assert client.post(url, data={"offer_id": "0"}).status_code == 302
    sent = client.post(f"/toewijzing/{proposal_id}/versturen")
    assert sent.status_code == 302
    assert "1 aanvragen zijn verstuurd" in client.get(sent.location).text
    assert client.get("/toewijzing/tekorten?schooljaar=zomaar").status_code == 200


def test_the_wishes_page_shows_errors_in_dutch_and_saves(make_app, app, db):
    world = build_world(db)
    student = world.requests["a"].student
    db.commit()
    client = _signed_in(make_app(WTF_CSRF_ENABLED=False), world, "student_a")
    assert client.get("/mijn-wensen").status_code == 302
    subject = world.offers["a"].subject_id
    data = {"level_code": "secondary", "subject_id": subject, "second_subject_id": 0}
    bad = client.post(
        f"/studenten/{student.id}/wensen", data={**data, "wish_1": "12", "max_km": "-3"}
    )
    assert bad.status_code == 200 and "Een instellingsnummer heeft 6 cijfers" in bad.text
    unknown = client.post(f"/studenten/{student.id}/wensen", data={**data, "wish_1": "999999"})
    assert "Geen school met dit instellingsnummer" in unknown.text
    number = world.institutions["school_a"].institution_number
    saved = client.post(f"/studenten/{student.id}/wensen", data={**data, "wish_1": number})
    assert saved.status_code == 302
    assert number in client.get(saved.location).text


def test_the_shortage_is_a_section_of_the_reports(app, db):
    from core.reports.periods import Period
    from core.reports.services import compute_report

    world = build_world(db)
    _cohort(db, world, 5)
    with app.test_request_context():
        report = compute_report(db, plugins_of(app), Period(date(2026, 9, 1), date(2027, 6, 30)))
    rows = report.section("allocation_shortage").rows
    assert rows[0][:2] == ("oost-vlaanderen", "secondary") and rows[0][-3:] == (5, 2, 3)


@pytest.mark.parametrize("seed", range(10))
def test_a_cohort_too_large_for_the_integer_programme_still_gets_a_feasible_allocation(
    seed, monkeypatch
):
    monkeypatch.setattr(solver, "MAX_INTEGER_OPTIONS", 0)
    problem = random_problem(random.Random(2000 + seed), students=5, offers=6, pairs=True)
    solution = solver.solve(problem)
    assert solution.method in {"flow", "flow+pairs"}
    used = solver._Usage(problem)
    index = {offer.id: k for k, offer in enumerate(problem.offers)}
    for assignment in solution.assignments:
        if assignment.offer_id is not None:
            used.take(index[assignment.offer_id])
    assert all(used.offer[o] <= problem.offers[o].places for o in used.offer)
    assert all(n <= problem.school_capacity.get(s, n) for s, n in used.school.items())
    assert _score(solution) <= brute_force(problem)[0]
