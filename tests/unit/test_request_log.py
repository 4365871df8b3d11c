import logging

import pytest

from sabt.api.request_log import RedactPaths, redacted_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/persons/0010001141", "/api/persons/*"),
        ("/api/persons/0010001141/history", "/api/persons/*/history"),
        ("/api/persons?name=%D8%B9%D9%84%DB%8C&birth_year=1370", "/api/persons?*"),
        ("/api/certificates/B000000123F/print", "/api/certificates/*/print"),
        ("/api/cards/status/N000001771K", "/api/cards/status/*"),
        ("/api/events/42/validate", "/api/events/42/validate"),
        ("/api/ledger/leaves/1234567", "/api/ledger/leaves/1234567"),
        ("/.well-known/sabt-certificate-keys.json", "/.well-known/sabt-certificate-keys.json"),
        ("/static/sabt.js", "/static/sabt.js"),
        ("/office", "/office"),
        ("/", "/"),
    ],
)
def test_the_request_log_keeps_the_words_of_an_address_and_nothing_that_names_a_person(path, logged):
    assert redacted_path(path) == logged


def test_the_filter_rewrites_uvicorns_access_record():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/persons/0010001141?x=1", "1.1", 200),
        None,
    )
    assert RedactPaths().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/persons/*?* HTTP/1.1" 200'
