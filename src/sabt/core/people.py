"""Pure rules about people: age, and who may marry whom under Iranian family law."""

import datetime as dt


def age_in_years(born: dt.date, on: dt.date) -> int:
    """Completed years of age on a day (a person born on 29 February ages on 1 March)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def marriage_capacity_problem(*, sex: str, active_marriages: int, court_permission: bool, max_wives: int) -> str | None:
    """Why a person cannot enter one more marriage, or None.

    A woman may have one husband (Civil Code art. 1049). A man who is already married needs a court's
    permission for a further permanent marriage (Family Protection Law 1391 art. 16), up to `max_wives`.
    """
    if active_marriages == 0:
        return None
    if sex == "female":
        return "marriage.wife_married"
    if active_marriages >= max_wives:
        return "marriage.limit"
    if not court_permission:
        return "marriage.needs_court_permission"
    return None
