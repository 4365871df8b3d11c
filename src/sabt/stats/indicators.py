"""The indicators: what each is, its columns and their formulas. This catalogue is the machine-readable data
dictionary (`GET /api/stats/dictionary`, `sabt stats dictionary`) and what docs/statistics.md explains."""

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..core.causes import CHAPTERS_FA
from ..core.stats import DEATH_AGE_GROUPS, MOTHER_AGE_GROUPS

Kind = Literal["count", "rate", "percent", "days", "hours", "people"]
Place = Literal["country", "province", "county"]
ALL_PLACES: tuple[Place, ...] = ("country", "province", "county")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    title_fa: str
    formula: str


@dataclass(frozen=True)
class Indicator:
    name: str
    title_fa: str
    title_en: str
    description: str
    columns: tuple[Column, ...]
    places: tuple[Place, ...] = ALL_PLACES
    notes: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> list[str]:
        """The columns that count people or events: these are what disclosure control protects."""
        return [column.name for column in self.columns if column.kind == "count"]


REGISTERED = "registered events whose event date falls in the period, counted at the place the event happened"
POPULATION = Column("population", "people", "جمعیت (سرشماری ۱۳۹۵)", "census 1395 population of the place")
PER_YEAR = "× 365.2425 ÷ days in the period (an annual rate)"


def _counts(prefix: str, title: str, names: list[tuple[str, str]]) -> tuple[Column, ...]:
    return tuple(
        Column(f"{prefix}_{name}", "count", f"{title} {label}", f"{prefix} with {name}") for name, label in names
    )


PER_DAYS = "× days in the period ÷ 365.2425"


def _notified_counts() -> tuple[Column, ...]:
    return tuple(
        column
        for kind, title in (("birth", "ولادت"), ("death", "وفات"))
        for column in (
            Column(
                f"{kind}s_notified", "count", f"{title} اعلام‌شده مراکز درمانی", f"{kind}s health facilities notified"
            ),
            Column(
                f"{kind}s_notified_registered",
                "count",
                f"{title} اعلام‌شده و ثبت‌شده",
                f"notified {kind}s whose declaration is registered",
            ),
        )
    )


BIRTHS = Column("births", "count", "ولادت", f"live births: {REGISTERED}")
DEATHS = Column("deaths", "count", "وفات", f"deaths: {REGISTERED}")

INDICATORS: dict[str, Indicator] = {
    indicator.name: indicator
    for indicator in (
        Indicator(
            "births",
            "ولادت",
            "Births",
            "Registered live births, by sex.",
            (
                BIRTHS,
                Column("births_male", "count", "ولادت پسر", "births of boys"),
                Column("births_female", "count", "ولادت دختر", "births of girls"),
            ),
        ),
        Indicator(
            "deaths",
            "وفات",
            "Deaths",
            "Registered deaths, by sex and age group at death.",
            (
                DEATHS,
                Column("deaths_male", "count", "وفات مردان", "deaths of men and boys"),
                Column("deaths_female", "count", "وفات زنان", "deaths of women and girls"),
                *_counts("deaths_age", "وفات در گروه سنی", [(name, name) for name, _ in DEATH_AGE_GROUPS]),
            ),
            notes=("Age at death in completed years from the day count (365.2425 days a year).",),
        ),
        Indicator(
            "deaths_by_cause",
            "وفات بر حسب علت",
            "Deaths by underlying cause",
            "Registered deaths by the chapter of ICD-10 (2019) of the underlying cause the certifier named.",
            (
                DEATHS,
                *(
                    Column(
                        f"deaths_cause_{numeral}",
                        "count",
                        f"فصل {numeral}: {title}",
                        f"deaths whose underlying cause is in chapter {numeral} ({codes})",
                    )
                    for numeral, (codes, title) in CHAPTERS_FA.items()
                ),
                Column(
                    "deaths_cause_uncertified",
                    "count",
                    "بدون گواهی پزشکی علت مرگ",
                    "deaths declared without a medical certificate of cause of death",
                ),
            ),
            notes=(
                "Chapter XVIII (symptoms and ill-defined conditions) is the usual measure of how well causes are "
                "certified: WHO counts a high share of it as a sign of poor certification.",
                "Causes are coded by the certifier at the office; no automated coding rules are applied.",
            ),
        ),
        Indicator(
            "maternal_mortality",
            "مرگ مادران",
            "Maternal mortality ratio",
            "Maternal deaths per 100,000 live births in the same period.",
            (
                Column(
                    "maternal_deaths",
                    "count",
                    "مرگ مادران",
                    "deaths whose underlying cause is in chapter XV (but O96, O97) or is A34",
                ),
                BIRTHS,
                Column(
                    "maternal_mortality_ratio",
                    "rate",
                    "نسبت مرگ مادران (در صد هزار تولد زنده)",
                    "100000 × maternal_deaths ÷ births",
                ),
            ),
            notes=("Only deaths with a medical certificate have an underlying cause to count.",),
        ),
        Indicator(
            "completeness",
            "کامل بودن ثبت",
            "Completeness of registration",
            "Registered births and deaths against those the population is expected to have, and the share of "
            "the births and deaths health facilities notified that were registered.",
            (
                BIRTHS,
                Column(
                    "expected_births",
                    "people",
                    "ولادت مورد انتظار",
                    f"population × SABT_EXPECTED_BIRTH_RATE ÷ 1000 {PER_DAYS}",
                ),
                Column(
                    "births_completeness_percent", "percent", "کامل بودن ثبت ولادت ٪", "100 × births ÷ expected_births"
                ),
                DEATHS,
                Column(
                    "expected_deaths",
                    "people",
                    "وفات مورد انتظار",
                    f"population × SABT_EXPECTED_DEATH_RATE ÷ 1000 {PER_DAYS}",
                ),
                Column(
                    "deaths_completeness_percent", "percent", "کامل بودن ثبت وفات ٪", "100 × deaths ÷ expected_deaths"
                ),
                *_notified_counts(),
                *(
                    Column(
                        f"{kind}s_notified_registered_percent",
                        "percent",
                        f"{title} اعلام‌شده و ثبت‌شده ٪",
                        f"100 × {kind}s_notified_registered ÷ {kind}s_notified",
                    )
                    for kind, title in (("birth", "ولادت"), ("death", "وفات"))
                ),
            ),
            notes=(
                "The expected rates are national: a county whose rate differs shows a completeness above or below "
                "100 for that reason too.",
                "A notified event counts as registered once the declaration it was matched to is registered.",
            ),
        ),
        Indicator(
            "notification_timeliness",
            "سرعت اعلام مراکز درمانی",
            "Timeliness from the event",
            "How soon health facilities notified births and deaths after they happened, and how soon the "
            "notified events were registered after the notification.",
            (
                *_notified_counts(),
                *(
                    column
                    for kind, title in (("birth", "ولادت"), ("death", "وفات"))
                    for column in (
                        Column(
                            f"{kind}s_notify_median_hours",
                            "hours",
                            f"میانه ساعت از {title} تا اعلام مرکز درمانی",
                            f"median of the hours from the {kind} to its notification",
                        ),
                        Column(
                            f"{kind}s_register_median_days",
                            "days",
                            f"میانه روز از اعلام تا ثبت {title}",
                            f"median of the days from the notification to the registration of its {kind}",
                        ),
                    )
                ),
            ),
            notes=("An event notified without a time of day is taken at noon.",),
        ),
        Indicator(
            "marriages",
            "ازدواج",
            "Marriages",
            "Registered marriages.",
            (Column("marriages", "count", "ازدواج", f"marriages: {REGISTERED}"),),
        ),
        Indicator(
            "divorces",
            "طلاق",
            "Divorces",
            "Registered divorces.",
            (Column("divorces", "count", "طلاق", f"divorces: {REGISTERED}"),),
        ),
        Indicator(
            "crude_birth_rate",
            "میزان خام موالید",
            "Crude birth rate",
            "Births a year per 1,000 people of the census population.",
            (
                BIRTHS,
                POPULATION,
                Column(
                    "crude_birth_rate", "rate", "میزان خام موالید (در هزار)", f"1000 × births ÷ population {PER_YEAR}"
                ),
            ),
            notes=("The population base is the 1395 (2016) census, the latest with county figures.",),
        ),
        Indicator(
            "crude_death_rate",
            "میزان خام مرگ",
            "Crude death rate",
            "Deaths a year per 1,000 people of the census population.",
            (
                DEATHS,
                POPULATION,
                Column("crude_death_rate", "rate", "میزان خام مرگ (در هزار)", f"1000 × deaths ÷ population {PER_YEAR}"),
            ),
            notes=("The population base is the 1395 (2016) census, the latest with county figures.",),
        ),
        Indicator(
            "sex_ratio_at_birth",
            "نسبت جنسی در بدو تولد",
            "Sex ratio at birth",
            "Boys born per 100 girls.",
            (
                Column("births_male", "count", "ولادت پسر", "births of boys"),
                Column("births_female", "count", "ولادت دختر", "births of girls"),
                Column("sex_ratio_at_birth", "rate", "نسبت جنسی", "100 × births_male ÷ births_female"),
            ),
        ),
        Indicator(
            "fertility",
            "باروری",
            "Age-specific and total fertility",
            "Births a year per woman of each five-year age group, and the total fertility rate.",
            (
                *_counts("births_mother", "ولادت از مادران", [(name, name) for name, _ in MOTHER_AGE_GROUPS]),
                *(
                    Column(
                        f"asfr_{name}",
                        "rate",
                        f"باروری ویژه سنی {name}",
                        f"births_mother_{name} ÷ women aged {name} in the census {PER_YEAR}",
                    )
                    for name, _ in MOTHER_AGE_GROUPS
                ),
                Column("total_fertility_rate", "rate", "میزان باروری کل", "5 × sum of the age-specific rates (15–49)"),
            ),
            places=("country", "province"),
            notes=(
                "Only births whose mother is in the registry (and so has a birth date) have a mother's age.",
                "Women by age group come from the 1395 census by province; the census has no county figures by age.",
            ),
        ),
        Indicator(
            "infant_mortality_rate",
            "میزان مرگ شیرخواران",
            "Infant mortality rate",
            "Deaths before the first birthday per 1,000 live births in the same period.",
            (
                Column("infant_deaths", "count", "وفات زیر یک سال", "deaths at age 0"),
                BIRTHS,
                Column(
                    "infant_mortality_rate", "rate", "میزان مرگ شیرخواران (در هزار)", "1000 × infant_deaths ÷ births"
                ),
            ),
        ),
        Indicator(
            "child_mortality",
            "مرگ کودکان",
            "Neonatal, infant and under-five mortality",
            "Deaths in the first 28 days, before the first birthday and before the fifth, per 1,000 live births "
            "in the same period.",
            (
                Column("neonatal_deaths", "count", "وفات نوزادان (زیر ۲۸ روز)", "deaths at 0 to 27 days of age"),
                Column("infant_deaths", "count", "وفات زیر یک سال", "deaths at age 0"),
                Column("under_five_deaths", "count", "وفات زیر پنج سال", "deaths at ages 0 to 4"),
                BIRTHS,
                Column(
                    "neonatal_mortality_rate",
                    "rate",
                    "میزان مرگ نوزادان (در هزار)",
                    "1000 × neonatal_deaths ÷ births",
                ),
                Column(
                    "infant_mortality_rate", "rate", "میزان مرگ شیرخواران (در هزار)", "1000 × infant_deaths ÷ births"
                ),
                Column(
                    "under_five_mortality_rate",
                    "rate",
                    "میزان مرگ کودکان زیر پنج سال (در هزار)",
                    "1000 × under_five_deaths ÷ births",
                ),
            ),
            notes=(
                "A period rate from the register: the deaths of the period over the births of the same period, "
                "not the probability of dying that a life table or a cohort gives (which it approaches when "
                "births change slowly).",
            ),
        ),
        Indicator(
            "stillbirths",
            "ولادت مرده",
            "Stillbirths",
            "Children born dead that health facilities notified, per 1,000 births (live and dead).",
            (
                Column("stillbirths", "count", "ولادت مرده", "stillbirths health facilities notified"),
                BIRTHS,
                Column(
                    "stillbirth_rate",
                    "rate",
                    "میزان ولادت مرده (در هزار تولد)",
                    "1000 × stillbirths ÷ (births + stillbirths)",
                ),
            ),
            notes=(
                "Only stillbirths in a health facility are notified, and a stillbirth has no declaration: the "
                "rate is a floor where many births happen at home.",
            ),
        ),
        Indicator(
            "timeliness",
            "به‌موقع بودن ثبت",
            "Timeliness of registration",
            "Share of births and deaths declared within the legal deadline, and the median delay.",
            (
                Column("births_registered", "count", "ولادت ثبت‌شده", "registered births"),
                Column("births_on_time", "count", "ولادت ثبت‌شده به‌موقع", "registered births declared by the deadline"),
                Column(
                    "births_on_time_percent", "percent", "درصد ولادت به‌موقع", "100 × births_on_time ÷ births_registered"
                ),
                Column(
                    "births_median_delay_days",
                    "days",
                    "میانه تأخیر اعلام ولادت (روز)",
                    "median of declaration date − birth date",
                ),
                Column("deaths_registered", "count", "وفات ثبت‌شده", "registered deaths"),
                Column("deaths_on_time", "count", "وفات ثبت‌شده به‌موقع", "registered deaths declared by the deadline"),
                Column(
                    "deaths_on_time_percent", "percent", "درصد وفات به‌موقع", "100 × deaths_on_time ÷ deaths_registered"
                ),
                Column(
                    "deaths_median_delay_days",
                    "days",
                    "میانه تأخیر اعلام وفات (روز)",
                    "median of declaration date − death date",
                ),
            ),
            notes=("Deadlines: 15 days for births (art. 15 note), 10 for deaths (art. 25), extended by holidays.",),
        ),
        Indicator(
            "card_coverage",
            "پوشش کارت هوشمند",
            "Smart-card coverage",
            "People holding a valid smart card ÷ people eligible (alive, 15 or older), on the period's last day.",
            (
                Column("eligible", "count", "واجدان شرایط", "persons alive and 15 or older on the day"),
                Column("active_cards", "count", "دارندگان کارت فعال", "cards handed over, not ended, not expired"),
                Column("coverage_percent", "percent", "درصد پوشش", "100 × active_cards ÷ eligible"),
            ),
            notes=("Place is the county of birth: the registry does not keep residence.",),
        ),
        Indicator(
            "forgeries",
            "موارد مشکوک به جعل",
            "Suspected certificate forgeries",
            "Certificate verifications that failed or found a revoked, superseded or altered certificate.",
            (
                Column(
                    "suspected_forgeries", "count", "موارد مشکوک به جعل", "suspected forgeries recorded in the period"
                ),
            ),
            places=("country", "province"),
            notes=("Place is the province of the office the code names, else of the office that checked.",),
        ),
    )
}


def dictionary() -> list[dict[str, Any]]:
    return [asdict(indicator) for indicator in INDICATORS.values()]
