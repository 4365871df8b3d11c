"""`sabt voters` on both databases: who is on the roll, by province and county, reproducibly, in the ledger."""

import csv
import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from sabt.ledger.models import LedgerLeaf

from ..registry.factories import DeathDeclaration, adult, death, register, registered_person


def roll_rows(path):
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_roll_lists_the_living_adults_once_by_province_and_is_reproducible(sabt, ctx, staff, tmp_path):
    voter = adult(ctx, staff, "female", year=1990)
    isfahani = adult(ctx, staff, "male", year=1980, county="1002")
    dead = adult(ctx, staff, "male", year=1970)
    register(ctx, staff, DeathDeclaration(**death(dead)))
    too_young = registered_person(ctx, staff, born=dt.date(2007, 6, 2))  # turns 18 the day after the election
    just_eighteen = registered_person(ctx, staff, born=dt.date(2007, 6, 1))
    first, second = tmp_path / "roll-1.csv", tmp_path / "roll-2.csv"
    result = sabt("voters", "--election-date", "1404/03/11", "--out", str(first))  # 1 June 2025
    assert result.exit_code == 0, result.output
    rows = roll_rows(first)
    codes = [row["national_code"] for row in rows]
    assert sorted(codes) == sorted([voter, isfahani, just_eighteen]) and len(set(codes)) == len(codes)
    assert dead not in codes and too_young not in codes
    assert [row["province"] for row in rows] == ["10", "23", "23"]  # Isfahan, then Tehran
    assert "3 voters" in result.output and hashlib.sha256(first.read_bytes()).hexdigest() in result.output
    assert sabt("voters", "--election-date", "2025-06-01", "--out", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    tehran = tmp_path / "tehran.csv"
    assert sabt("voters", "--election-date", "2025-06-01", "--province", "23", "--out", str(tehran)).exit_code == 0
    assert {row["province"] for row in roll_rows(tehran)} == {"23"}
    with ctx.db.snapshot() as session:
        query = select(LedgerLeaf.record_id).where(LedgerLeaf.record_type == "voter_roll").order_by(LedgerLeaf.index)
        published = list(session.scalars(query))
    assert published == ["2025-06-01/all", "2025-06-01/all", "2025-06-01/23"]


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["--election-date", "1404/13/01"], 1, "election_date"),
        (["--election-date", "2025-06-01", "--province", "99"], 3, "province"),  # not found
    ],
)
def test_bad_roll_requests_exit_non_zero_and_say_why(sabt, tmp_path, args, exit_code, message):
    result = sabt("voters", *args, "--out", str(tmp_path / "roll.csv"))
    assert result.exit_code == exit_code and message in result.output
