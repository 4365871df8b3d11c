"""The `sabt` command against both databases. Commands use the real clock, so dates are relative to today."""

import datetime as dt
import json

from sabt.core.national_code import national_code_problem


def recent(days_ago: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def register_child(sabt, *extra: str):
    return sabt(
        "register",
        "birth",
        "--as",
        "registrar",
        "--first-name",
        "کوروش",
        "--last-name",
        "پارسا",
        "--sex",
        "male",
        "--birth-date",
        recent(2),
        "--county",
        "2301",
        "--father-first-name",
        "داریوش",
        "--father-last-name",
        "پارسا",
        "--mother-first-name",
        "آتوسا",
        "--mother-last-name",
        "پارسا",
        "--certificate",
        "midwife:MW-1",
        *extra,
    )


def test_national_code_check_valid(sabt):
    result = sabt("national-code", "check", "۰۴۹۹۳۷۰۸۹۹")
    assert (result.exit_code, result.output.strip()) == (0, "valid")


def test_national_code_check_invalid_says_why(sabt):
    result = sabt("national-code", "check", "0499370898")
    assert result.exit_code == 1
    assert "check digit" in result.output and "رقم کنترل" in result.output


def test_register_a_birth_with_flags_and_show_the_person(sabt):
    result = register_child(sabt)
    assert result.exit_code == 0, result.output
    code = result.output.split("national code:")[1].split()[0]
    assert national_code_problem(code) is None
    shown = sabt("person", "show", code, "--as", "auditor", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["first_name"] == "کوروش"
    text = sabt("person", "show", code, "--as", "auditor")
    assert "کوروش" in text.output and "کد ملی" in text.output


def test_register_from_a_json_file(sabt, tmp_path):
    declaration = {
        "first_name": "شیرین",
        "last_name": "فرهادی",
        "sex": "female",
        "birth_date": recent(3),
        "county": "2301",
        "father": {"first_name": "فرهاد", "last_name": "فرهادی"},
        "mother": {"first_name": "نسرین", "last_name": "راد"},
        "declarant": {"relation": "mother"},
        "evidence": {"kind": "medical_certificate", "issuer": "physician", "document_number": "P-9"},
    }
    path = tmp_path / "birth.json"
    path.write_text(json.dumps(declaration, ensure_ascii=False), encoding="utf-8")
    result = sabt("register", "birth", "--as", "registrar", "--file", str(path))
    assert result.exit_code == 0, result.output
    assert "registered" in result.output


def test_a_clerk_only_declares(sabt):
    result = register_child(sabt, "--as", "clerk")
    assert result.exit_code == 0, result.output
    assert "declared" in result.output and "national code" not in result.output


def test_a_late_birth_waits_for_the_office_head(sabt):
    waiting = register_child(sabt, "--birth-date", recent(60))
    assert waiting.exit_code == 0 and "waiting for the office head" in waiting.output
    event_id = waiting.output.split()[1]
    approved = sabt("event", "approve-late", event_id, "--as", "head")
    assert approved.exit_code == 0 and "approved" in approved.output
    registered = sabt("event", "register", event_id, "--as", "registrar")
    assert "national code:" in registered.output


def test_bad_input_prints_the_field_and_exits_non_zero(sabt):
    result = register_child(sabt, "--county", "9999")
    assert result.exit_code == 3  # a county that does not exist is not found, whatever names it
    assert "[county]" in result.output and "شهرستانی با کد" in result.output


def test_a_role_that_may_not_register_is_refused(sabt):
    result = register_child(sabt, "--as", "clerk")
    assert result.exit_code == 0
    event_id = result.output.split()[1]
    refused = sabt("event", "register", event_id, "--as", "auditor")
    assert refused.exit_code == 5 and "role auditor may not register" in refused.output


def test_an_unknown_user(sabt):
    result = sabt("person", "show", "0499370899", "--as", "nobody")
    assert result.exit_code == 3 and "nobody" in result.output


def test_user_add_and_office_add(sabt):
    office = sabt("office", "add", "KRJ-9", "--name", "اداره کرج", "--county", "3001", "--prefix", "031")
    assert office.exit_code == 0, office.output
    added = sabt("user", "add", "karaj.clerk", "--role", "clerk", "--office", "KRJ-9", "--password", "long enough pw")
    assert added.exit_code == 0, added.output
    again = sabt("user", "add", "karaj.clerk", "--role", "clerk", "--office", "KRJ-9", "--password", "long enough pw")
    assert again.exit_code == 4 and "already exists" in again.output


def test_a_short_password_is_refused(sabt):
    result = sabt("user", "add", "shorty", "--role", "auditor", "--password", "short")
    assert result.exit_code == 1 and "10 characters" in result.output


def test_national_code_next_peeks_without_reserving(sabt):
    first = sabt("national-code", "next", "--prefix", "001").output.strip()
    assert sabt("national-code", "next", "--prefix", "001").output.strip() == first
    registered = register_child(sabt)
    assert f"national code: {first}" in registered.output


def test_db_upgrade_on_an_existing_database_is_harmless(sabt):
    result = sabt("db", "upgrade")
    assert result.exit_code == 0 and "31 provinces and 429 counties" in result.output
