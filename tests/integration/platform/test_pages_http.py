"""The pages' security over real HTTP, without a browser: sign-in sessions, CSRF, headers, and refusals as
Persian pages that write nothing."""

import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import func, select

from sabt.registry.events.models import Event

from ..conftest import PASSWORD


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def browser(server):
    with httpx.Client(base_url=server, follow_redirects=False) as client:
        yield client


def sign_in(browser: httpx.Client, username: str = "registrar") -> str:
    form = browser.get("/login")
    answer = browser.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text
    return csrf_of(browser.get("/office").text)


def events(ctx) -> int:
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(Event))


def test_pages_ask_for_a_sign_in_and_the_session_cookie_is_guarded(browser, ctx):
    assert browser.get("/office").headers["location"] == "/login"
    form = browser.get("/login")
    assert form.headers["content-security-policy"].startswith("default-src 'self'")
    assert form.headers["x-frame-options"] == "DENY"
    answer = browser.post("/login", data={"username": "registrar", "password": PASSWORD, "csrf": csrf_of(form.text)})
    cookie = answer.headers["set-cookie"]
    assert "sabt_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert answer.headers["location"] == "/office"
    desk = browser.get("/office")
    assert desk.status_code == 200 and 'dir="rtl"' in desk.text


def test_a_wrong_password_is_refused_in_persian_and_the_username_kept(browser):
    form = browser.get("/login")
    answer = browser.post("/login", data={"username": "registrar", "password": "wrong", "csrf": csrf_of(form.text)})
    assert answer.status_code == 401 and "نام کاربری یا گذرواژه نادرست است." in answer.text
    assert 'value="registrar"' in answer.text


def test_a_sign_in_without_its_form_token_is_refused(browser):
    browser.get("/login")
    answer = browser.post("/login", data={"username": "registrar", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403 and "این فرم منقضی شده" in answer.text
    assert "sabt_session" not in answer.headers.get("set-cookie", "")


def test_a_sign_in_token_the_client_chose_or_the_server_signed_too_long_ago_is_refused(browser, ctx):
    """A double-submit token the client makes up (the same value in the cookie and the form) is not enough:
    the server signed the one it gave, for an hour."""
    chosen = "a-token-of-my-own"
    browser.cookies.set("sabt_login", chosen)
    made_up = browser.post("/login", data={"username": "registrar", "password": PASSWORD, "csrf": chosen})
    assert made_up.status_code == 403
    browser.cookies.clear()
    given = csrf_of(browser.get("/login").text)
    ctx.clock.current = ctx.now() + dt.timedelta(hours=2)
    stale = browser.post("/login", data={"username": "registrar", "password": PASSWORD, "csrf": given})
    assert stale.status_code == 403 and "sabt_session" not in stale.headers.get("set-cookie", "")
    fresh = csrf_of(browser.get("/login").text)
    assert fresh != given
    assert (
        browser.post("/login", data={"username": "registrar", "password": PASSWORD, "csrf": fresh}).status_code == 303
    )


def test_every_page_a_signed_in_user_opens_carries_the_security_headers(browser, ctx):
    sign_in(browser, "admin")
    for path in ("/office", "/account", "/office/security", "/office/access", "/office/search", "/stats", "/verify"):
        page = browser.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-security-policy"].startswith("default-src 'self'"), path
        assert (page.headers["x-frame-options"], page.headers["x-content-type-options"]) == ("DENY", "nosniff")
        assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"


def test_a_form_posted_without_the_csrf_token_writes_nothing(browser, ctx):
    token = sign_in(browser)
    body = {
        "first_name": "آوا",
        "last_name": "کریمی",
        "sex": "female",
        "birth_date": "1404/03/05",
        "county": "2301",
        "father.first_name": "رضا",
        "father.last_name": "کریمی",
        "mother.first_name": "مینا",
        "mother.last_name": "کریمی",
        "declarant.relation": "father",
        "evidence.kind": "medical_certificate",
        "evidence.issuer": "facility",
        "evidence.document_number": "BC-1",
        "_step": "submit",
        "_key": "k-1",
    }
    for forged in ({}, {"csrf": "0" * 32}):
        answer = browser.post("/office/declare/birth", data=body | forged)
        assert answer.status_code == 403 and "این فرم منقضی شده" in answer.text
    assert events(ctx) == 0
    answer = browser.post("/office/declare/birth", data=body | {"csrf": token})
    assert answer.status_code == 303 and events(ctx) == 1
    again = browser.post("/office/declare/birth", data=body | {"csrf": token})  # a double click, a reload
    assert again.headers["location"] == answer.headers["location"] and events(ctx) == 1


def test_bad_addresses_and_values_get_a_persian_page_not_a_crash(browser, ctx):
    token = sign_in(browser)
    missing = browser.get("/office/events/999999")
    assert missing.status_code == 404 and "واقعه‌ای با شناسه ۹۹۹۹۹۹ وجود ندارد." in missing.text
    assert browser.get("/office/events/abc").status_code == 422
    assert browser.get("/office/events/99999999999").status_code == 422  # beyond any id: refused, not a crash
    unknown = browser.post("/office/person", data={"csrf": token, "national_code": "0499370890"})
    assert unknown.status_code == 422 and "رقم کنترل این کد ملی نادرست است." in unknown.text
    assert browser.get("/office/declare/adoption").status_code == 404
    refused = browser.post("/office/search", data={"csrf": token, "birth_year": "۱۳۷۰"})
    assert refused.status_code == 422 and "کد ملی، یا نام" in refused.text


def test_signing_out_ends_the_session_on_the_server(browser, server):
    token = sign_in(browser)
    cookie = browser.cookies["sabt_session"]
    assert browser.post("/logout", data={"csrf": token}).headers["location"] == "/login"
    with httpx.Client(base_url=server, cookies={"sabt_session": cookie}) as stolen:
        assert stolen.get("/office", follow_redirects=False).headers["location"] == "/login"


def test_a_citizen_cannot_open_the_office_pages(browser, ctx, staff, api):
    from ..registry.factories import adult

    person = adult(ctx, staff, "female")
    api.post(
        "/api/citizens",
        as_="registrar",
        json={"national_code": person, "username": "sara.c", "password": "a long passphrase"},
    )
    form = browser.get("/login")
    answer = browser.post(
        "/login", data={"username": "sara.c", "password": "a long passphrase", "csrf": csrf_of(form.text)}
    )
    assert answer.headers["location"] == "/me"
    for office_page in ("/office", "/office/queues/to-print", "/office/queues/printed", "/office/dashboard"):
        refused = browser.get(office_page)
        assert refused.status_code == 403 and "اجازه" in refused.text, office_page


def test_a_refused_correction_keeps_what_the_head_typed_and_a_good_one_is_applied(browser, ctx, staff):
    from ..registry.factories import adult

    person = adult(ctx, staff, "female", first_name="زهرا")
    token = sign_in(browser, "head")
    body = {
        "csrf": token,
        "_national_code": person,
        "first_name": "زهره",
        "birth_date": "1404/13/01",
        "reason": "رأی کمیسیون ۱۲",
    }
    refused = browser.post("/office/person/correct", data=body)
    assert refused.status_code == 422 and "چنین روزی در تقویم وجود ندارد." in refused.text
    assert 'value="زهره"' in refused.text and 'value="رأی کمیسیون ۱۲"' in refused.text
    applied = browser.post("/office/person/correct", data=body | {"birth_date": ""})
    assert applied.status_code == 200 and "پرونده اصلاح شد." in applied.text and "<h1>زهره" in applied.text
    clerk = httpx.Client(base_url=str(browser.base_url), follow_redirects=False)
    clerk_token = sign_in(clerk, "clerk")
    forbidden = clerk.post("/office/person/correct", data=body | {"csrf": clerk_token, "birth_date": ""})
    assert forbidden.status_code == 403
    clerk.close()


def test_another_office_s_head_is_not_offered_a_correction_and_is_refused_one(browser, ctx, staff):
    from ..registry.factories import adult

    person = adult(ctx, staff, "female", first_name="زهرا")
    token = sign_in(browser, "isf_head")
    record = browser.post("/office/person", data={"csrf": token, "national_code": person})
    assert record.status_code == 200 and "<h1>زهرا" in record.text and "اصلاح پرونده" not in record.text
    body = {"csrf": token, "_national_code": person, "first_name": "زهره", "reason": "رأی کمیسیون ۱۲"}
    refused = browser.post("/office/person/correct", data=body)
    assert refused.status_code == 403 and "این پرونده متعلق به اداره دیگری است." in refused.text
    home = httpx.Client(base_url=str(browser.base_url), follow_redirects=False)
    home_token = sign_in(home, "head")
    assert "اصلاح پرونده" in home.post("/office/person", data={"csrf": home_token, "national_code": person}).text
    home.close()


def test_card_work_at_the_desk_from_application_to_hand_over_and_a_loss(browser, ctx, staff):
    from sabt.cards import service as cards
    from sabt.cards.schemas import EnrolmentIn, ProducedCard, ProductionIn

    from ..registry.factories import adult

    person = adult(ctx, staff, "female")
    token = sign_in(browser, "registrar")
    applied = browser.post("/office/cards/apply", data={"csrf": token, "national_code": person})
    assert applied.status_code == 200 and "درخواست کارت به شماره" in applied.text
    again = browser.post("/office/cards/apply", data={"csrf": token, "national_code": person})
    assert again.status_code == 409 and "درخواست کارت در جریان" in again.text
    [card] = cards.cards_of(ctx, actor=staff["registrar"], national_code=person)
    cards.enrol(
        ctx, actor=staff["clerk"], card_id=card.id, enrolment=EnrolmentIn(photo_ref="c", template_sha256="ab" * 32)
    )
    desk = browser.get("/office").text
    assert "ارسال ۱ ثبت‌نام برای تولید" in desk
    assert browser.post("/office/cards/batch", data={"csrf": token}).headers["location"] == "/office?done=batch#cards"
    [card] = cards.cards_of(ctx, actor=staff["registrar"], national_code=person)
    manifest = ProductionIn(cards=[ProducedCard(card_id=card.id, chip_id="04AABBCCDDEEFF")])
    cards.record_production(ctx, actor=staff["admin"], batch_id=card.batch_id, production=manifest)
    assert "تحویل به دارنده" in browser.get("/office").text
    handed = browser.post(f"/office/cards/{card.id}/hand-over", data={"csrf": token})
    assert handed.headers["location"] == "/office?done=handed#cards"
    assert cards.get_card(ctx, actor=staff["clerk"], card_id=card.id).status == "active"
    refused = browser.post(f"/office/cards/{card.id}/report", data={"csrf": token, "national_code": person})
    assert refused.status_code == 422 and "نوع گزارش را انتخاب کنید." in refused.text
    reported = browser.post(
        f"/office/cards/{card.id}/report", data={"csrf": token, "national_code": person, "what": "stolen"}
    )
    assert reported.status_code == 200 and "کارت باطل شد" in reported.text
    assert cards.get_card(ctx, actor=staff["clerk"], card_id=card.id).status == "stolen"
    assert browser.post(f"/office/cards/{card.id}/hand-over", data={"csrf": "x"}).status_code == 403


@pytest.mark.parametrize(("username", "sees_queue"), [("investigator", True), ("admin", False), ("registrar", False)])
def test_only_those_who_may_review_cases_are_shown_the_review_queue(browser, username, sees_queue):
    sign_in(browser, username)
    assert ('href="/office/linkage"' in browser.get("/office").text) is sees_queue


def test_a_childs_record_says_from_when_a_card_is_applied_for_instead_of_offering_it(browser, ctx, staff):
    from ..registry.factories import adult, registered_person

    child = registered_person(ctx, staff, born=dt.date(2020, 3, 21), sex="female")
    token = sign_in(browser, "registrar")
    record = browser.post("/office/person", data={"csrf": token, "national_code": child}).text
    assert "از پانزده‌سالگی، از ۱۴۱۴/۰۱/۰۱" in record and "/office/cards/apply" not in record
    grown = browser.post("/office/person", data={"csrf": token, "national_code": adult(ctx, staff, "female")}).text
    assert "/office/cards/apply" in grown and "از پانزده‌سالگی" not in grown


def test_a_search_with_more_results_than_a_page_says_so(browser, ctx, staff):
    from ..registry.factories import adult

    token = sign_in(browser, "registrar")
    for _ in range(50):
        adult(ctx, staff, "male", first_name="بهرام")
    found = browser.post("/office/search", data={"csrf": token, "first_name": "بهرام"}).text
    assert "نتیجه (۵۰ یا بیشتر)" in found and "سال تولد یا نام خانوادگی را هم بنویسید" in found
    adult(ctx, staff, "male", first_name="کامران")
    one = browser.post("/office/search", data={"csrf": token, "first_name": "کامران"}).text
    assert "نتیجه (۱)" in one and "یا بیشتر" not in one


def test_a_person_s_page_prints_only_that_person_s_marriage_certificates(browser, ctx, staff):
    from sabt.certificates.models import Certificate

    from ..registry.factories import MarriageDeclaration, adult, marriage, register

    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    theirs = register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    stranger = adult(ctx, staff, "female", first_name="ژاله")
    token = sign_in(browser, "registrar")
    form = {"csrf": token, "national_code": stranger, "kind": "marriage", "event_id": str(theirs.id)}
    refused = browser.post("/office/person/certificate", data=form)
    assert refused.status_code == 422 and "این واقعه ازدواج یا طلاق از پرونده همین شخص نیست." in refused.text
    assert browser.post("/office/person/certificate", data=form | {"kind": ""}).status_code == 422
    with ctx.db.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(Certificate)) == 0  # nothing issued
    printed = browser.post("/office/person/certificate", data=form | {"national_code": wife})
    assert printed.headers["content-type"] == "application/pdf" and printed.content.startswith(b"%PDF")


def test_a_national_role_picks_the_office_whose_dashboard_it_reads(browser):
    sign_in(browser, "auditor")
    offices = browser.get("/office/dashboard")
    assert offices.status_code == 200 and "/office/dashboard?office=THR" in offices.text
    assert "داشبورد اداره تهران" in browser.get("/office/dashboard", params={"office": "THR"}).text
