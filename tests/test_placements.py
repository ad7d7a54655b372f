"""The request state machine: every change through one function, recorded, refused clearly."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from core.placements.models import RequestStatus as S
from core.placements.services import TRANSITIONS, TransitionRefused, transition
from core.plugins.manager import plugins_of
from tests.factories import make_request

ALLOWED = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


def test_the_allowed_transitions_are_the_designed_ones():
    assert {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.SUBMITTED, S.DECLINED),
        (S.SUBMITTED, S.EXPIRED),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.ACCEPTED, S.CANCELLED),
        (S.ACCEPTED, S.COMPLETED),
    } == ALLOWED


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_pair_is_allowed_or_refused_and_nothing_changes_on_refusal(app, db, source, target):
    request = make_request(db, status=source)
    with app.app_context():
        if (source, target) in ALLOWED:
            event = transition(db, plugins_of(app), request, target, actor=None, reason="reden")
            assert (event.from_status, event.to_status) == (source.value, target.value)
            assert request.status == target
        else:
            with pytest.raises(TransitionRefused):
                transition(db, plugins_of(app), request, target, actor=None, reason="reden")
            assert request.status == source
            assert len(request.events) == 1
    db.rollback()


def test_refusal_message_is_dutch_and_names_both_states(app, db):
    request = make_request(db, status=S.ACCEPTED)
    with app.test_request_context(), force_locale("nl"):
        with pytest.raises(TransitionRefused) as refused:
            transition(db, plugins_of(app), request, S.SUBMITTED, actor=None)
        assert str(refused.value.args[0]) == (
            "Een aanvraag met status accepted kan niet naar submitted."
        )
    db.rollback()


@pytest.mark.parametrize("target", [S.DECLINED])
def test_declining_needs_a_reason(app, db, target):
    request = make_request(db, status=S.SUBMITTED)
    with app.test_request_context():
        with pytest.raises(TransitionRefused, match="Geef een reden op."):
            transition(db, plugins_of(app), request, target, actor=None, reason="   ")
        transition(db, plugins_of(app), request, target, actor=None, reason="Geen mentor vrij")
    assert [e.to_status for e in request.events] == ["submitted", "declined"]
    assert request.events[-1].reason == "Geen mentor vrij"
    db.rollback()


def test_cancelling_needs_a_reason(app, db):
    request = make_request(db, status=S.ACCEPTED)
    with app.test_request_context(), pytest.raises(TransitionRefused):
        transition(db, plugins_of(app), request, S.CANCELLED, actor=None)
    db.rollback()
