"""Schemathesis against the app's live OpenAPI description: for every operation, generated
requests (valid and invalid ones) never cause a 5xx, and every answer matches the
description. Bounded: a few examples per operation, derandomised."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_support import issue_token
from tests.world import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Tokens of people on both sides and an administrator, so most answers are not a 403.
ACTORS = ("admin", "school_coordinator_a", "programme_coordinator_a")
BOUNDED = settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_every_operation_answers_as_described(make_app, app, db):
    world = build_world(db)
    db.commit()
    secrets = [issue_token(db, world, actor) for actor in ACTORS]
    live = make_app(API_RATE_LIMIT="100000 per minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", live)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def answers_as_described(case):
                for secret in secrets:
                    headers = {"Authorization": f"Bearer {secret}"}
                    case.call_and_validate(headers=headers, checks=CHECKS)

            answers_as_described()
