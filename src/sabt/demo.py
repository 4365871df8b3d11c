"""The demo registry: three offices, one user per role, and three generations of families registered
through the same use cases a registrar uses, each on its own historical date, plus a work queue."""

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

from .accounts import service as accounts
from .accounts.schemas import UserIn
from .clock import FixedClock
from .context import Context
from .core.workflow import Actor, Role
from .geo import service as geo
from .geo.schemas import OfficeIn
from .migrations import upgrade
from .registry import service as registry
from .registry.schemas import BirthDeclaration, DeathDeclaration, DivorceDeclaration, MarriageDeclaration

# The demo's only secret, printed for the person trying it; `sabt demo` never runs on a real registry.
DEMO_PASSWORD = "sabt-demo-password"  # noqa: S105
OFFICES = (
    ("THR-01", "اداره ثبت احوال منطقه ۱ تهران", "Tehran"),
    ("ISF-01", "اداره ثبت احوال اصفهان", "Isfahan"),
    ("MHD-01", "اداره ثبت احوال مشهد", "Mashhad"),
)
USERS = (
    ("admin", Role.NATIONAL_ADMIN, None),
    ("auditor", Role.AUDITOR, None),
    ("head", Role.OFFICE_HEAD, "THR-01"),
    ("registrar", Role.REGISTRAR, "THR-01"),
    ("clerk", Role.CLERK, "THR-01"),
    ("registrar.isf", Role.REGISTRAR, "ISF-01"),
    ("registrar.mhd", Role.REGISTRAR, "MHD-01"),
)
MALE = ("محمد", "علی", "حسین", "رضا", "مهدی", "امیرحسین", "محمدرضا", "حسن", "سعید", "مجید", "امیر", "جواد")
FEMALE = ("فاطمه", "زهرا", "مریم", "زینب", "سارا", "نرگس", "معصومه", "الهام", "مهسا", "نازنین", "ریحانه", "لیلا")
SURNAMES = (
    "محمدی",
    "حسینی",
    "احمدی",
    "رضایی",
    "موسوی",
    "کریمی",
    "جعفری",
    "رحیمی",
    "صادقی",
    "هاشمی",
    "قاسمی",
    "ابراهیمی",
    "نوری",
    "کاظمی",
    "طاهری",
    "اکبری",
)


def prepare_demo(ctx: Context, *, fresh: bool) -> str:
    """Create (or reuse) the demo registry; returns what a person trying it needs to know."""
    if fresh:
        _remove_sqlite_files(ctx.settings.resolved_database_url())
    upgrade(ctx)
    if not accounts.has_users(ctx):
        _seed(ctx)
    users = ", ".join(f"{name} ({role})" for name, role, _ in USERS)
    return (
        f"Demo registry: {ctx.settings.resolved_database_url()}\n"
        f"Users: {users}\nPassword for every demo user: {DEMO_PASSWORD}"
    )


def _remove_sqlite_files(url: str) -> None:
    path = Path(url.split("///", 1)[-1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _seed(ctx: Context) -> None:
    counties = {county.name_en: county.code for county in geo.list_counties(ctx)}
    for code, name, county in OFFICES:
        geo.create_office(ctx, actor=None, office=OfficeIn(code=code, name_fa=name, county=counties[county]))
    for username, role, office in USERS:
        accounts.create_user(
            ctx, actor=None, user=UserIn(username=username, password=DEMO_PASSWORD, role=role, office=office)
        )
    FamilySeeder(ctx, counties["Tehran"]).seed(families=12)


class FamilySeeder:
    """Registers families as they would have been registered: each event a few days after it happened."""

    def __init__(self, ctx: Context, county: str) -> None:
        self.clock = FixedClock(dt.datetime(1970, 1, 1, 8, tzinfo=dt.UTC))
        self.ctx = replace(ctx, clock=self.clock)
        self.county = county
        self.registrar = accounts.actor_for_username(ctx, "registrar")
        self.head = accounts.actor_for_username(ctx, "head")
        self.clerk = accounts.actor_for_username(ctx, "clerk")
        self.random = random.Random(1405)  # noqa: S311 (reproducible demo data, not secrets)

    def seed(self, *, families: int) -> None:
        events: list[tuple[dt.date, int, str, dict[str, object]]] = []
        for family in range(families):
            events.extend(self._family(family))
        registered: dict[str, str] = {}
        for day, _, step, data in sorted(events, key=lambda item: (item[0], item[1])):
            self.clock.current = dt.datetime.combine(day, dt.time(9), dt.UTC)
            self._apply(step, data, registered)
        self._leave_work_in_queue(registered)

    def _family(self, family: int) -> list[tuple[dt.date, int, str, dict[str, object]]]:
        pick = self.random.choice
        surname, wife_surname = pick(SURNAMES), pick(SURNAMES)
        father_born = dt.date(1955, 1, 1) + dt.timedelta(days=self.random.randrange(0, 365 * 20))
        mother_born = father_born + dt.timedelta(days=self.random.randrange(365, 365 * 6))
        married = mother_born + dt.timedelta(days=365 * 20 + self.random.randrange(0, 365 * 5))
        father, mother = f"f{family}", f"m{family}"
        events = [
            (
                father_born + dt.timedelta(days=3),
                0,
                "birth",
                self._birth(father, pick(MALE), surname, "male", father_born),
            ),
            (
                mother_born + dt.timedelta(days=3),
                0,
                "birth",
                self._birth(mother, pick(FEMALE), wife_surname, "female", mother_born),
            ),
            (married + dt.timedelta(days=1), 1, "marriage", {"husband": father, "wife": mother, "date": married}),
        ]
        child_born = married
        for child in range(self.random.randint(1, 4)):
            child_born += dt.timedelta(days=self.random.randrange(400, 1800))
            if child_born > dt.date(2024, 1, 1):
                break
            sex = pick(("male", "female"))
            name = pick(MALE if sex == "male" else FEMALE)
            data = self._birth(f"c{family}.{child}", name, surname, sex, child_born, father=father, mother=mother)
            events.append((child_born + dt.timedelta(days=self.random.randint(1, 12)), 2, "birth", data))
        if family % 4 == 0:
            died = married + dt.timedelta(days=365 * 30)
            events.append((died + dt.timedelta(days=2), 3, "death", {"who": father, "date": died}))
        elif family % 5 == 1:
            divorced = child_born + dt.timedelta(days=700)
            events.append(
                (divorced + dt.timedelta(days=1), 3, "divorce", {"husband": father, "wife": mother, "date": divorced})
            )
        return [event for event in events if event[0] <= dt.date(2025, 6, 1)]

    @staticmethod
    def _birth(
        key: str,
        first: str,
        last: str,
        sex: str,
        born: dt.date,
        *,
        father: str | None = None,
        mother: str | None = None,
    ) -> dict[str, object]:
        return {
            "key": key,
            "first_name": first,
            "last_name": last,
            "sex": sex,
            "born": born,
            "father": father,
            "mother": mother,
        }

    def _apply(self, step: str, data: dict[str, object], registered: dict[str, str]) -> None:
        if step == "birth":
            declaration = self._birth_declaration(data, registered)
            registered[str(data["key"])] = self._register(declaration)
        elif step == "marriage":
            self._register(
                MarriageDeclaration(
                    husband_national_code=registered[str(data["husband"])],
                    wife_national_code=registered[str(data["wife"])],
                    marriage_date=str(data["date"]),
                    county=self.county,
                    notary_office="12",
                    document_number=f"M-{self.random.randrange(10**6)}",
                )
            )
        elif step == "death":
            self._register(
                DeathDeclaration(
                    national_code=registered[str(data["who"])],
                    death_date=str(data["date"]),
                    county=self.county,
                    declarant={"relation": "sibling", "first_name": "حمید", "last_name": "نوری"},
                    evidence={"kind": "medical_certificate", "issuer": "physician", "document_number": "D-1"},
                )
            )
        else:
            self._register(
                DivorceDeclaration(
                    husband_national_code=registered[str(data["husband"])],
                    wife_national_code=registered[str(data["wife"])],
                    divorce_date=str(data["date"]),
                    county=self.county,
                    notary_office="7",
                    document_number=f"T-{self.random.randrange(10**6)}",
                )
            )

    def _birth_declaration(self, data: dict[str, object], registered: dict[str, str]) -> BirthDeclaration:
        def parent(key: object, first: str) -> dict[str, str]:
            if key is None:
                return {"first_name": first, "last_name": self.random.choice(SURNAMES)}
            return {"national_code": registered[str(key)]}

        return BirthDeclaration(
            first_name=str(data["first_name"]),
            last_name=str(data["last_name"]),
            sex=data["sex"],
            birth_date=str(data["born"]),
            birth_time=f"{self.random.randrange(24):02d}:{self.random.randrange(60):02d}",
            county=self.county,
            place="تهران",
            father=parent(data["father"], self.random.choice(MALE)),
            mother=parent(data["mother"], self.random.choice(FEMALE)),
            declarant={"relation": "father"},
            evidence={
                "kind": "medical_certificate",
                "issuer": "facility",
                "issuer_name": "بیمارستان میلاد",
                "document_number": str(self.random.randrange(10**6)),
            },
        )

    def _register(
        self, declaration: BirthDeclaration | DeathDeclaration | MarriageDeclaration | DivorceDeclaration
    ) -> str:
        event = registry.declare(self.ctx, actor=self.clerk, declaration=declaration)
        self._through(event.id, self.registrar, self.head)
        code = registry.get_event(self.ctx, actor=self.registrar, event_id=event.id).subject_national_code
        assert code is not None
        return code

    def _through(self, event_id: int, registrar: Actor, head: Actor) -> None:
        event = registry.validate_event(self.ctx, actor=registrar, event_id=event_id)
        if event.late:
            registry.approve_late(self.ctx, actor=head, event_id=event_id, note="demo")
        registry.register_event(self.ctx, actor=registrar, event_id=event_id)

    def _leave_work_in_queue(self, registered: dict[str, str]) -> None:
        """Today's desk: a birth waiting for validation and a late one waiting for the office head."""
        self.clock.current = dt.datetime.now(dt.UTC)
        today = self.ctx.today()
        mother, father = registered["m1"], registered["f1"]
        for days_ago, name in ((4, "آوا"), (40, "کیان")):
            registry.declare(
                self.ctx,
                actor=self.clerk,
                declaration=BirthDeclaration(
                    first_name=name,
                    last_name="محمدی",
                    sex="female" if name == "آوا" else "male",
                    birth_date=str(today - dt.timedelta(days=days_ago)),
                    county=self.county,
                    father={"national_code": father},
                    mother={"national_code": mother},
                    declarant={"relation": "mother"},
                    evidence={"kind": "medical_certificate", "issuer": "midwife", "document_number": "MW-77"},
                ),
            )
