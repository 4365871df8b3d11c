"""Schemathesis against the OpenAPI of the partner, certificate-verification and card-status endpoints, over real HTTP
on both databases: whatever it sends, the server answers without a 5xx."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from .test_identity_checks import BANK_POLICY, partner

PUBLIC_AND_PARTNER = r"^/api/(identity/|certificates/verify|national-codes/|cards/(status|revocations)|stats/)"
EXAMPLES = 40


def test_no_input_makes_a_server_error(api, ctx, server):
    key = partner(api, "fuzz-bank", BANK_POLICY | {"checks": ["verify", "ekyc"], "attributes": ["first_name"]},
                  rate=100_000)  # fmt: skip
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json").include(path_regex=PUBLIC_AND_PARTNER)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/identity/verify", "/api/identity/ekyc", "/api/certificates/verify",
                                              "/api/cards/status/{serial}", "/api/cards/revocations"}  # fmt: skip
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )  # the same requests every run: CI is not a lottery
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers={"X-API-Key": key})
            case.validate_response(response, checks=[not_a_server_error])
            statuses.append(response.status_code)

        exercise()
    assert len(statuses) >= len(operations) * 10 and max(statuses) < 500
    assert {200, 422} <= set(statuses)  # it reached both the answers and the refusals
