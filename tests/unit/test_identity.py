"""Pure identity rules: name comparison, partner tokens, voting age."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sabt.core.identity import birthday_years_after, may_vote, partner_token, same_name

codes = st.from_regex(r"\A[0-9]{10}\Z")
partners = st.from_regex(r"\A[a-z][a-z0-9\-]{1,20}\Z")
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def test_names_match_after_persian_normalization():
    assert same_name("علي رضائي", "علی رضائی")  # Arabic ي becomes Persian ی
    assert same_name("محمّد", "محمد")  # diacritics
    assert same_name("زهرا\u200cسادات", "زهرا سادات")  # ZWNJ and space
    assert not same_name("زهرا", "زهره")


@given(partners, partners, codes)
def test_a_partner_token_is_stable_for_one_partner_and_differs_across_partners(first, second, code):
    secret = b"s" * 32
    assert partner_token(secret, first, code) == partner_token(secret, first, code)
    if first != second:
        assert partner_token(secret, first, code) != partner_token(secret, second, code)
    assert partner_token(b"t" * 32, first, code) != partner_token(secret, first, code)


@given(days, days)
def test_someone_may_vote_exactly_from_their_eighteenth_birthday(born, election):
    eighteenth = birthday_years_after(born, 18) if born.year <= 2082 else None
    if eighteenth is None:
        return
    assert may_vote(born=born, died_on=None, election_day=election) == (eighteenth <= election)


def test_a_29_february_birthday_comes_of_age_on_1_march_and_the_dead_do_not_vote():
    born = dt.date(2008, 2, 29)
    assert not may_vote(born=born, died_on=None, election_day=dt.date(2026, 2, 28))
    assert may_vote(born=born, died_on=None, election_day=dt.date(2026, 3, 1))
    assert not may_vote(born=dt.date(1970, 1, 1), died_on=dt.date(2025, 1, 1), election_day=dt.date(2026, 3, 1))
    assert may_vote(born=dt.date(1970, 1, 1), died_on=dt.date(2026, 3, 2), election_day=dt.date(2026, 3, 1))
