"""Voter rolls: everyone alive and at least 18 on election day, by province and county, nobody twice.

The roll is a CSV sorted by county and national code, with no time stamp in it, so the same registry state
always gives the same bytes; its SHA-256 is printed and appended to the ledger, so anyone holding the file
can show it is the roll the registry published. Place is the county of birth: the registry does not yet
keep residence (docs/integration.md)."""

import csv
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..context import Context
from ..core.identity import latest_birth_to_vote, may_vote
from ..core.jalali import to_jalali
from ..geo.errors import ProvinceUnknown
from ..geo.service import list_provinces
from ..ledger.service import Change, log_statement
from ..registry import service as registry
from .errors import VotersOut

COLUMNS = ["province", "county", "national_code", "last_name", "first_name", "father_first_name", "birth_date"]


@dataclass
class VoterRoll:
    election_day: dt.date
    province: str | None
    voters: int = 0
    by_county: Counter[str] = field(default_factory=Counter)
    digest: str = ""


def write_voter_roll(ctx: Context, *, election_day: dt.date, province: str | None, out: Path) -> VoterRoll:
    if province is not None and province not in {p.code for p in list_provinces(ctx)}:
        raise ProvinceUnknown(field="province", code=province)
    roll = VoterRoll(election_day, province)
    try:
        file = out.open("w", encoding="utf-8", newline="")
    except OSError:
        raise VotersOut(field="out", path=str(out)) from None
    with file, ctx.db.snapshot() as session:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS)
        born_by = latest_birth_to_vote(election_day)
        rows = registry.living_born_by(session, born_on_or_before=born_by, alive_on=election_day, province=province)
        for code, last, first, father, born, county, died in rows:
            if may_vote(born=born, died_on=died, election_day=election_day):
                writer.writerow([county[:2], county, code, last, first, father, to_jalali(born)])
                roll.voters += 1
                roll.by_county[county] += 1
    roll.digest = hashlib.sha256(out.read_bytes()).hexdigest()
    with ctx.db.transaction() as session:
        content = {
            "election_day": election_day.isoformat(),
            "province": province,
            "voters": roll.voters,
            "sha256": roll.digest,
        }
        record = f"{election_day.isoformat()}/{province or 'all'}"
        log_statement(session, Change("voter_roll", record, content))
    return roll
