"""Schemathesis over the whole OpenAPI, over real HTTP on both databases, as every kind of caller: anonymous,
each staff role of two offices, a citizen and two partners. Whatever it sends, every answer is no server
error, has a status the document lists for that operation, the content type it lists, and a body that fits
the listed schema (problem+json for every refusal).

The fuzzer gets a registry of its own (it creates users, offices and partners, and signs out), seeded with
registered persons, a citizen's account and partners, so that its requests also reach records that exist.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ..conftest import PASSWORD, new_backend, new_database, serve, sign_in
from ..registry.factories import adult

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PARTNER_POLICIES = {
    "fuzz-bank": {
        "checks": ["verify", "ekyc"],
        "attributes": ["first_name", "last_name", "birth_date", "alive"],
        "alive_status": True,
        "purpose": "fuzzing",
    },
    "fuzz-vote": {"checks": ["verify"], "alive_status": False, "purpose": "fuzzing"},
}
# Last: a caller who signs out cannot go on to try the rest.
SIGN_OUT = ("POST", "/api/auth/logout")


@dataclass
class Target:
    base_url: str
    bearer: dict[str, str]  # staff and citizen: name -> token
    partners: dict[str, str]  # name -> API key
    security: dict[tuple[str, str], set[str]]  # (method, path) -> the schemes the operation takes


@pytest.fixture(scope="module")
def target(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    for url in new_database(kind, tmp_path_factory):
        for backend in new_backend(url, tmp_path_factory):
            for base_url in serve(backend):
                yield _seeded(backend, base_url)


def _seeded(backend, base_url: str) -> Target:
    ctx, staff = backend.context, backend.staff
    codes = [adult(ctx, staff, "female"), adult(ctx, staff, "male", year=1985)]
    bearer = sign_in(base_url, staff)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        admin = {"Authorization": f"Bearer {bearer['admin']}"}
        account = {"national_code": codes[0], "username": "fuzz-citizen", "password": PASSWORD}
        enrolled = client.post(
            "/api/citizens", json=account, headers={"Authorization": f"Bearer {bearer['registrar']}"}
        )
        assert enrolled.status_code == 201, enrolled.text
        partners = {}
        for code, policy in PARTNER_POLICIES.items():
            body = {
                "code": code,
                "name": f"Partner {code}",
                "kind": "bank",
                "contact": "ops@example.org",
                "policy": policy,
                "rate_per_minute": 100_000,
            }
            assert client.post("/api/partners", json=body, headers=admin).status_code == 201
            partners[code] = client.post(f"/api/partners/{code}/keys", headers=admin).json()["api_key"]
        document = client.get("/openapi.json").json()
    bearer |= sign_in(base_url, ["fuzz-citizen"])
    security = {
        (method.upper(), path): {scheme for requirement in operation.get("security", []) for scheme in requirement}
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    return Target(base_url, bearer, partners, security)


def _callers(target: Target, method: str, path: str) -> list[tuple[str, dict[str, str]]]:
    """Anonymous always; with a bearer token every staff role and the citizen; with a key both partners."""
    schemes = target.security[(method, path)]
    callers: list[tuple[str, dict[str, str]]] = [("anonymous", {})]
    if "OAuth2PasswordBearer" in schemes:
        callers += [(name, {"Authorization": f"Bearer {token}"}) for name, token in target.bearer.items()]
    if "APIKeyHeader" in schemes:
        callers += [(name, {"X-API-Key": key}) for name, key in target.partners.items()]
    return callers


def _fuzz(operation: schemathesis.APIOperation, headers: dict[str, str], statuses: list[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same requests every run: CI is not a lottery
        phases=[Phase.explicit, Phase.generate],
    )
    def exercise(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    exercise()


def test_every_operation_answers_every_caller_within_its_documented_schema(target):
    schema = schemathesis.openapi.from_url(f"{target.base_url}/openapi.json")
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()), key=lambda op: (op.method.upper(), op.path) == SIGN_OUT
    )
    assert len(operations) == len(target.security)  # every documented operation is fuzzed
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        for caller, headers in _callers(target, operation.method.upper(), operation.path):
            try:
                _fuzz(operation, headers, statuses)
            except Exception as failure:  # gather them all: one report names every operation that fails
                failures.append(f"{operation.method.upper()} {operation.path} as {caller}: {failure}"[:2000])
    print(len(statuses), sorted(__import__("collections").Counter(statuses).items()))
    assert not failures, "\n\n".join(failures)
    assert max(statuses) < 500 and {200, 201, 401, 403, 404, 422} <= set(statuses)
