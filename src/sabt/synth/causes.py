"""Causes of death for the synthetic nation: medical certificates as a physician in Iran would write them,
drawn with shares close to Iran's (cardiovascular diseases first, then cancers and accidents; perinatal
conditions and congenital anomalies for infants; road traffic injuries for young adults).

The shares are rounded from published figures (Iran's Ministry of Health and WHO's Global Health
Estimates put cardiovascular diseases at about 40% of deaths, cancers at about 15% and injuries at about
8%); they are for a demonstration and benchmarks that need realistic variety, not estimates of anything.
"""

from dataclasses import dataclass

import numpy as np

from ..core.stats import DAYS_PER_YEAR


@dataclass(frozen=True)
class Chain:
    """One certificate: part I from line a down, each (condition, ICD-10 code, amount, unit), and part II."""

    part1: tuple[tuple[str, str, int, str], ...]
    underlying: str
    manner: str = "disease"
    part2: tuple[tuple[str, str], ...] = ()
    sex: str | None = None  # a cause of one sex only (prostate, breast, pregnancy)


def _chain(*part1: tuple[str, str, int, str], **more: object) -> Chain:
    underlying = str(more.pop("underlying", part1[-1][1]))
    return Chain(part1=part1, underlying=underlying, **more)  # type: ignore[arg-type]


HEART_ATTACK = _chain(("انفارکتوس حاد میوکارد", "I21.9", 3, "hours"), ("بیماری آترواسکلروتیک قلب", "I25.1", 8, "years"))
STROKE = _chain(("سکته مغزی", "I64", 4, "days"), part2=(("فشار خون بالا", "I10"),))
HEART_FAILURE = _chain(("نارسایی احتقانی قلب", "I50.0", 2, "months"), ("بیماری قلبی فشار خون", "I11.0", 10, "years"))
LUNG_CANCER = _chain(("سرطان ریه", "C34.9", 1, "years"))
STOMACH_CANCER = _chain(("سرطان معده", "C16.9", 1, "years"))
COLON_CANCER = _chain(("سرطان روده بزرگ", "C18.9", 2, "years"))
BREAST_CANCER = _chain(("سرطان پستان", "C50.9", 3, "years"), sex="female")
PROSTATE_CANCER = _chain(("سرطان پروستات", "C61", 3, "years"), sex="male")
LEUKAEMIA = _chain(("لوسمی لنفوبلاستیک حاد", "C91.0", 1, "years"))
COPD = _chain(("نارسایی تنفسی", "J96.0", 2, "days"), ("بیماری انسدادی مزمن ریه", "J44.9", 9, "years"))
PNEUMONIA = _chain(("ذات‌الریه", "J18.9", 5, "days"))
DIABETES = _chain(
    ("بیماری مزمن کلیه مرحله پنج", "N18.5", 2, "years"), ("دیابت نوع دو با عارضه کلیوی", "E11.2", 15, "years")
)
KIDNEY = _chain(("بیماری مزمن کلیه مرحله پنج", "N18.5", 4, "years"))
ALZHEIMER = _chain(("ذات‌الریه آسپیراسیون", "J69.0", 3, "days"), ("بیماری آلزایمر", "G30.9", 6, "years"))
CIRRHOSIS = _chain(("سیروز کبد", "K74.6", 3, "years"))
SEPSIS = _chain(("سپسیس", "A41.9", 3, "days"))
COVID = _chain(("کووید-۱۹", "U07.1", 12, "days"))
ILL_DEFINED = _chain(("علت نامعلوم", "R99", 0, "days"))
ROAD_CRASH = _chain(
    ("آسیب شدید مغزی", "S06.9", 2, "hours"),
    ("تصادف سرنشین خودرو در ترافیک", "V49.9", 2, "hours"),
    manner="accident",
)
PEDESTRIAN = _chain(
    ("چند آسیب شدید", "T07", 1, "hours"), ("برخورد خودرو با عابر پیاده", "V09.2", 1, "hours"), manner="accident"
)
FALL = _chain(("شکستگی گردن استخوان ران", "S72.0", 10, "days"), ("سقوط", "W19", 10, "days"), manner="accident")
SELF_HARM = _chain(("خفگی", "T71", 10, "minutes"), ("خودکشی با حلق‌آویز", "X70", 10, "minutes"), manner="self_harm")
ASSAULT = _chain(("خونریزی شدید", "T14.1", 1, "hours"), ("حمله با چاقو", "X99", 1, "hours"), manner="assault")
PRETERM = _chain(("سندرم زجر تنفسی نوزاد", "P22.0", 3, "days"), ("نوزاد نارس", "P07.3", 3, "days"))
CONGENITAL_HEART = _chain(("ناهنجاری مادرزادی قلب", "Q24.9", 2, "months"))
NEONATAL_SEPSIS = _chain(("سپسیس باکتریایی نوزاد", "P36.9", 4, "days"))
ASPHYXIA = _chain(("خفگی هنگام تولد", "P21.0", 1, "days"))
ECLAMPSIA = _chain(("اکلامپسی پس از زایمان", "O15.2", 2, "days"), sex="female")
HAEMORRHAGE = _chain(("خونریزی پس از زایمان", "O72.1", 6, "hours"), sex="female")

# (weight, chain) by age at death; the weights are shares in each group, out of 100.
Table = tuple[tuple[int, Chain], ...]
INFANTS: Table = (
    (35, PRETERM),
    (20, CONGENITAL_HEART),
    (15, NEONATAL_SEPSIS),
    (12, ASPHYXIA),
    (10, PNEUMONIA),
    (8, SEPSIS),
)
CHILDREN: Table = (
    (30, ROAD_CRASH),
    (10, PEDESTRIAN),
    (15, LEUKAEMIA),
    (15, CONGENITAL_HEART),
    (15, PNEUMONIA),
    (15, SEPSIS),
)
YOUNG: Table = (
    (22, ROAD_CRASH),
    (6, PEDESTRIAN),
    (7, SELF_HARM),
    (3, ASSAULT),
    (16, HEART_ATTACK),
    (5, STROKE),
    (5, LEUKAEMIA),
    (5, BREAST_CANCER),
    (4, STOMACH_CANCER),
    (5, CIRRHOSIS),
    (4, SEPSIS),
    (3, COVID),
    (5, ILL_DEFINED),
    (10, KIDNEY),
)
OLDER: Table = (
    (26, HEART_ATTACK),
    (12, STROKE),
    (7, HEART_FAILURE),
    (4, LUNG_CANCER),
    (4, STOMACH_CANCER),
    (3, COLON_CANCER),
    (2, BREAST_CANCER),
    (2, PROSTATE_CANCER),
    (5, COPD),
    (5, PNEUMONIA),
    (5, DIABETES),
    (3, KIDNEY),
    (3, ALZHEIMER),
    (2, CIRRHOSIS),
    (3, SEPSIS),
    (2, COVID),
    (4, ROAD_CRASH),
    (3, FALL),
    (5, ILL_DEFINED),
)
MATERNAL: Table = ((60, HAEMORRHAGE), (40, ECLAMPSIA))
# Iran's maternal mortality ratio is about 20 per 100,000 live births: a little over 1% of the deaths of
# women of childbearing age.
MATERNAL_SHARE = 0.012
UNCERTIFIED_SHARE = 0.08  # deaths at home declared with a burial permit alone

CATALOGUE = {chain.underlying: chain for _, chain in (*INFANTS, *CHILDREN, *YOUNG, *OLDER, *MATERNAL)}


def draw_cause(rng: np.random.Generator, *, sex: str, age_days: int) -> str:
    """The underlying cause of one death (a key of CATALOGUE), or "" for a death without a certificate."""
    if rng.random() < UNCERTIFIED_SHARE:
        return ""
    years = age_days / DAYS_PER_YEAR
    if sex == "female" and 15 <= years < 50 and rng.random() < MATERNAL_SHARE:
        table = MATERNAL
    else:
        table = INFANTS if years < 1 else CHILDREN if years < 15 else YOUNG if years < 45 else OLDER
    fitting = [(weight, chain) for weight, chain in table if chain.sex in (None, sex)]
    weights = np.array([weight for weight, _ in fitting], dtype=float)
    chosen = int(rng.choice(len(fitting), p=weights / weights.sum()))
    return fitting[chosen][1].underlying


def certificate(underlying: str) -> dict[str, object]:
    """The declaration's `cause_of_death` for a cause CATALOGUE holds."""
    chain = CATALOGUE[underlying]
    lines = [
        {"condition": condition, "icd10": code, "interval": {"amount": amount, "unit": unit}}
        for condition, code, amount, unit in chain.part1
    ]
    maternal = chain.sex == "female" and underlying.startswith("O")
    return {
        "part1": lines,
        "part2": [{"condition": condition, "icd10": code} for condition, code in chain.part2],
        "underlying": chain.underlying,
        "manner": chain.manner,
        "pregnancy": "within_42_days" if maternal else None,
        "autopsy": "findings_used" if chain.manner != "disease" else "not_done",
    }
