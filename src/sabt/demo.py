"""The demo registry: offices, one user per role, a small synthetic nation imported as a legacy register,
the last years of its births, deaths, marriages and divorces registered through the workflow on the days
they were declared, six years of smart cards applied for, made and handed over on their days, today's
work waiting in the Tehran office's queue, and an old office's second registrations of people the registry
already has, found by a linkage run and waiting for the investigator."""

import csv
import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from .accounts import service as accounts
from .accounts.schemas import UserIn
from .cards import service as cards
from .certificates import service as certificates
from .certificates.schemas import CertificateRequest
from .clock import FixedClock
from .context import Context
from .core.cards import eligible_from
from .core.permissions import Actor, Role
from .core.workflow import EventKind, EventStatus
from .geo import service as geo
from .geo.schemas import OfficeIn
from .ledger.service import sign_checkpoint
from .linkage import service as linkage
from .migrations import upgrade
from .registry import service as registry
from .registry.schemas import BirthDeclaration, EventOut
from .synth.service import SynthRequest, generate_nation, replay_cards, replay_events
from .verification import service as verification
from .verification.schemas import CitizenIn, PartnerIn

# The demo's only secret, printed for the person trying it; `sabt demo` never runs on a real registry.
DEMO_PASSWORD = "sabt-demo-password"  # noqa: S105
DEMO_PEOPLE, DEMO_YEARS, DEMO_SEED = 3000, 2, 1405
TEHRAN_PROVINCE = "23"
SAMPLES = "sample-certificates"
CITIZEN = "citizen"
OFFICES = (
    ("THR-01", "اداره ثبت احوال منطقه ۱ تهران", "Tehran"),
    ("ISF-01", "اداره ثبت احوال اصفهان", "Isfahan"),
    ("MHD-01", "اداره ثبت احوال مشهد", "Mashhad"),
)
USERS = (
    ("admin", Role.NATIONAL_ADMIN, None),
    ("auditor", Role.AUDITOR, None),
    ("investigator", Role.INVESTIGATOR, None),
    ("head", Role.OFFICE_HEAD, "THR-01"),
    ("registrar", Role.REGISTRAR, "THR-01"),
    ("clerk", Role.CLERK, "THR-01"),
    ("registrar.isf", Role.REGISTRAR, "ISF-01"),
    ("registrar.mhd", Role.REGISTRAR, "MHD-01"),
)


def prepare_demo(ctx: Context, *, fresh: bool, report: Callable[[str], None]) -> str:
    """Create (or reuse) the demo registry, telling `report` each step of the seeding as it starts (it takes
    minutes); returns what a person trying it needs to know."""
    if fresh:
        _remove_sqlite_files(ctx.settings.resolved_database_url())
    upgrade(ctx)
    if not accounts.has_users(ctx):
        _seed(ctx, report)
    users = ", ".join(f"{name} ({role})" for name, role, _ in USERS)
    return (
        f"Demo registry: {ctx.settings.resolved_database_url()}\n"
        f"Users: {users}, and {CITIZEN} (a citizen, at /me)\nPassword for every demo user: {DEMO_PASSWORD}\n"
        f"Printed certificates to verify at /verify: {ctx.settings.data_dir / SAMPLES}/"
    )


def _remove_sqlite_files(url: str) -> None:
    path = Path(url.split("///", 1)[-1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _seed(ctx: Context, report: Callable[[str], None]) -> None:
    report("offices and one user per role")
    counties = {county.name_en: county.code for county in geo.list_counties(ctx)}
    for code, name, county in OFFICES:
        geo.create_office(ctx, actor=None, office=OfficeIn(code=code, name_fa=name, county=counties[county]))
    for username, role, office in USERS:
        accounts.create_user(
            ctx, actor=None, user=UserIn(username=username, password=DEMO_PASSWORD, role=role, office=office)
        )
    today = ctx.today()
    window_start = today - dt.timedelta(days=round(DEMO_YEARS * 365.2425))
    folder = ctx.settings.data_dir / "synth"
    report(f"a synthetic nation of {DEMO_PEOPLE:,} people")
    generate_nation(SynthRequest(people=DEMO_PEOPLE, years=DEMO_YEARS, seed=DEMO_SEED, end=today, legacy=True), folder)
    head = accounts.actor_for_username(ctx, "head")
    at_window_start = replace(ctx, clock=FixedClock(dt.datetime.combine(window_start, dt.time(6), dt.UTC)))
    report("importing it as the legacy register")
    registry.import_persons(at_window_start, actor=head, path=folder / "persons.csv")
    offices = ProvinceOffices(ctx)
    report("their births, deaths, marriages and divorces, each on its day, most notified by a hospital")
    replay_events(ctx, path=folder / "events.csv", staff_for=offices, facility_for=ProvinceHospitals(ctx))
    report("six years of smart cards")
    replay_cards(ctx, path=folder / "cards.csv", staff_for=offices, producer=accounts.actor_for_username(ctx, "admin"))
    report("work waiting in Tehran, sample certificates, a citizen")
    _leave_work_in_queue(ctx)
    _print_sample_certificates(ctx)
    _open_citizen_account(ctx)
    report("an old office's second registrations, and a linkage run")
    _import_second_registrations(at_window_start, head, folder)
    linkage.run_linkage(ctx, actor=accounts.actor_for_username(ctx, "investigator"))
    sign_checkpoint(ctx)


def _import_second_registrations(ctx: Context, head: Actor, folder: Path) -> None:
    """An old office's register that holds, under codes of its own, people the registry already has: the
    legacy file's second copies that lost their national code. The investigator's queue finds them."""
    with (folder / "legacy_truth.csv").open(encoding="utf-8", newline="") as file:
        copies = {int(row["row"]) for row in csv.DictReader(file) if row["of"]}
    with (folder / "legacy.csv").open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        rows = [row for number, row in enumerate(reader, start=1) if number in copies and not row["national_code"]]
    path = folder / "old-register.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(rows)
    registry.import_persons(ctx, actor=head, path=path)


class ProvinceOffices:
    """Who registers an event in a county: the Tehran demo office for Tehran province, and for each other
    province an office in its first county with a registrar and an office head (random passwords)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.province_of = {county.code: county.province_code for county in geo.list_counties(ctx)}
        self.province_names = {province.code: province.name_fa for province in geo.list_provinces(ctx)}
        tehran = ("THR-01", accounts.actor_for_username(ctx, "registrar"), accounts.actor_for_username(ctx, "head"))
        self.staff: dict[str, tuple[str, Actor, Actor]] = {TEHRAN_PROVINCE: tehran}

    def __call__(self, county: str) -> tuple[str, Actor, Actor]:
        province = self.province_of[county]
        if province not in self.staff:
            self.staff[province] = self._open(province)
        return self.staff[province]

    def _open(self, province: str) -> tuple[str, Actor, Actor]:
        code = f"P{province}-01"
        first = next(c for c in geo.list_counties(self.ctx, province_code=province) if c.national_code_prefixes)
        geo.create_office(
            self.ctx,
            actor=None,
            office=OfficeIn(code=code, name_fa=f"اداره ثبت احوال {first.name_fa}", county=first.code),
        )
        staff = []
        for role in (Role.REGISTRAR, Role.OFFICE_HEAD):
            username = f"{role.value.replace('_', '.')}.p{province}"
            accounts.create_user(
                self.ctx,
                actor=None,
                user=UserIn(username=username, role=role, office=code, password=secrets.token_urlsafe(18)),
            )
            staff.append(accounts.actor_for_username(self.ctx, username))
        return code, staff[0], staff[1]


class ProvinceHospitals:
    """Who notifies a birth or death in a county: a hospital of its province, a partner allowed to notify
    both, with a key of its own (the demo keeps no secret of it: it notifies in-process)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.province_of = {county.code: county.province_code for county in geo.list_counties(ctx)}
        self.province_names = {province.code: province.name_fa for province in geo.list_provinces(ctx)}
        self.limiter = verification.RateLimiter()
        self.callers: dict[str, verification.PartnerCaller] = {}

    def __call__(self, county: str) -> verification.PartnerCaller:
        province = self.province_of[county]
        if province not in self.callers:
            self.callers[province] = self._open(province)
        return self.callers[province]

    def _open(self, province: str) -> verification.PartnerCaller:
        code = f"hospital-p{province}"
        hospital = {
            "code": code,
            "name": f"بیمارستان مرکزی استان {self.province_names[province]}",
            "kind": "health",
            "contact": "it@hospital.example",
            "rate_per_minute": 100_000,
            "policy": {"checks": [], "notifications": ["birth", "death"], "purpose": "notification of vital events"},
        }
        verification.create_partner(self.ctx, actor=None, partner=PartnerIn.model_validate(hospital))
        key = verification.create_key(self.ctx, actor=None, partner_code=code).api_key
        return verification.partner_for_key(self.ctx, key, limiter=self.limiter)


def _leave_work_in_queue(ctx: Context) -> None:
    """Today's desk in Tehran: a birth waiting for validation, which the registrar has taken up, and a late
    one waiting for the office head."""
    clerk, registrar = (accounts.actor_for_username(ctx, name) for name in ("clerk", "registrar"))
    mother, father = _tehran_couple(ctx)
    today = ctx.today()
    for days_ago, name, sex in ((4, "آوا", "female"), (40, "کیان", "male")):
        parents = {"father": {"national_code": father}, "mother": {"national_code": mother}}
        declared = registry.declare(
            ctx,
            actor=clerk,
            declaration=BirthDeclaration(
                first_name=name,
                last_name="محمدی",
                sex=sex,
                birth_date=str(today - dt.timedelta(days=days_ago)),
                county="2301",
                declarant={"relation": "mother"},
                evidence={"kind": "medical_certificate", "issuer": "midwife", "document_number": "MW-77"},
                **parents,
            ),
        )
        if not declared.late:
            registry.assign_event(ctx, actor=registrar, event_id=declared.id)


def _print_sample_certificates(ctx: Context) -> None:
    """Birth certificates of a Tehran couple, one of them later revoked as lost, printed as PDFs into the data
    directory: something genuine, and something revoked, for the verification page to check."""
    registrar, head = (accounts.actor_for_username(ctx, name) for name in ("registrar", "head"))
    folder = ctx.settings.data_dir / SAMPLES
    folder.mkdir(parents=True, exist_ok=True)
    for number, code in enumerate(_tehran_couple(ctx), 1):
        request = CertificateRequest(kind="birth", national_code=code)
        issued = certificates.issue_certificate(ctx, actor=registrar, request=request)
        _, pdf = certificates.print_certificate(ctx, actor=registrar, serial=issued.serial)
        status = "genuine" if number == 1 else "revoked"
        (folder / f"{number}-{status}-{issued.serial}.pdf").write_bytes(pdf)
        if status == "revoked":
            certificates.revoke_certificate(ctx, actor=head, serial=issued.serial, reason="مفقود شده، به گزارش دارنده")


def _open_citizen_account(ctx: Context) -> None:
    """An account for a Tehran adult who has never applied for a smart card, so that `/me` and the README's
    card walk-through have someone to act for."""
    registrar, auditor = (accounts.actor_for_username(ctx, name) for name in ("registrar", "auditor"))
    for code in _married_in_tehran(ctx):
        person = registry.get_person(ctx, actor=auditor, national_code=code)
        if (
            person.alive
            and eligible_from(person.birth_date.gregorian) <= ctx.today()
            and not cards.cards_of(ctx, actor=auditor, national_code=code)
        ):
            citizen = CitizenIn(national_code=code, username=CITIZEN, password=DEMO_PASSWORD)
            verification.enrol_citizen(ctx, actor=registrar, citizen=citizen)
            return
    raise RuntimeError("the demo population has no Tehran adult without a card")


def _married_in_tehran(ctx: Context) -> Iterator[str]:
    for event in _tehran_marriages(ctx):
        yield from (code for code in (event.partner_national_code, event.subject_national_code) if code)


def _tehran_marriages(ctx: Context) -> list[EventOut]:
    auditor = accounts.actor_for_username(ctx, "auditor")
    return registry.list_events(
        ctx, actor=auditor, status=EventStatus.REGISTERED, kind=EventKind.MARRIAGE, office_code="THR-01", limit=500
    )


def _tehran_couple(ctx: Context) -> tuple[str, str]:
    """A living couple from the registry, to be the parents in today's queue."""
    auditor = accounts.actor_for_username(ctx, "auditor")
    for event in _tehran_marriages(ctx):
        wife, husband = event.partner_national_code, event.subject_national_code
        if (
            wife
            and husband
            and all(registry.get_person(ctx, actor=auditor, national_code=code).alive for code in (wife, husband))
        ):
            return wife, husband
    raise RuntimeError("the demo population has no married couple in Tehran")
