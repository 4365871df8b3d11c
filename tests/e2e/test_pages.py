"""A registrar's day in the browser, a citizen's page, and the public verification page, in Chromium."""

import datetime as dt
import re
import zlib

import base45
import httpx
import jdatetime
from playwright.sync_api import Page, Route, expect

from sabt.certificates import service as certificates
from sabt.certificates.schemas import CertificateRequest
from sabt.core.text import to_persian_digits
from sabt.linkage import service as linkage
from sabt.registry import service as registry
from sabt.verification import service as verification
from sabt.verification.schemas import CitizenIn, PartnerIn
from tests.integration.registry.factories import (
    BirthDeclaration,
    DeathDeclaration,
    DivorceDeclaration,
    MarriageDeclaration,
    adult,
    birth,
    death,
    divorce,
    marriage,
    register,
    registered_person,
)

from .conftest import screenshot, sign_in


def fill_birth(page: Page, *, first_name: str = "آوا", birth_date: str = "") -> None:
    page.goto("/office/declare/birth")
    page.fill("#f-first_name", first_name)
    page.fill("#f-last_name", "کریمی")
    page.select_option("#f-sex", "female")
    if birth_date:
        page.fill("#f-birth_date", birth_date)
    page.fill("#f-birth_time", "۰۹:۱۵")
    page.select_option("#f-province", "23")
    page.select_option("#f-county", "2301")
    page.fill("#f-father-first_name", "رضا")
    page.fill("#f-father-last_name", "کریمی")
    page.fill("#f-mother-first_name", "مینا")
    page.fill("#f-mother-last_name", "کریمی")
    page.select_option("#f-declarant-relation", "father")
    page.select_option("#f-evidence-kind", "medical_certificate")
    page.select_option("#f-evidence-issuer", "facility")
    page.fill("#f-evidence-document_number", "BC-9001")


def test_a_registrar_declares_registers_and_prints_a_birth_and_the_public_verifies_it(page: Page, tmp_path):
    sign_in(page, "registrar")
    expect(page).to_have_url("/office")
    fill_birth(page)
    page.fill("#f-birth_date", "۱۴۰۴/۰۳/۰۱")
    page.click("#f-birth_date + button")  # the Jalali calendar opens on the typed month
    expect(page.locator(".calendar strong")).to_have_text("خرداد ۱۴۰۴")
    page.click(".calendar [data-day='5']")
    expect(page.locator("#f-birth_date")).to_have_value("۱۴۰۴/۰۳/۰۵")  # 26 May 2025
    screenshot(page, "declare-birth")
    page.click("text=بررسی و ادامه")
    expect(page.locator("h1")).to_have_text("تأیید اعلام ولادت")
    expect(page.locator("table.facts")).to_contain_text("تهران (۲۳۰۱)")
    screenshot(page, "declare-birth-review")
    page.click("text=ثبت اعلام")
    expect(page.locator("h1")).to_contain_text("اعلام‌شده")
    page.click("button:text('بررسی و تأیید')")
    expect(page.locator(".notice.good")).to_contain_text("بررسی و تأیید")
    page.click("button:text('ثبت نهایی')")
    expect(page.locator("h1")).to_contain_text("ثبت‌شده")
    code = page.locator(".notice.good strong.ltr").inner_text()
    screenshot(page, "event-registered")
    page.goto("/office")
    expect(page.locator("#to-print")).to_contain_text("۱")
    screenshot(page, "desk")
    page.click("#to-print + table button")
    expect(page.locator("h1")).to_have_text("آوا کریمی")
    screenshot(page, "person")
    with page.expect_download() as download:
        page.click("text=صدور و چاپ شناسنامه")
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.name.startswith("B")
    page.goto("/verify")
    page.set_input_files("#file", str(pdf))
    page.click("main form button[type=submit]")
    expect(page.locator(".verdict h2")).to_have_text("گواهی اصیل و معتبر است")
    expect(page.locator(".verdict table")).to_contain_text(to_persian_digits(code))
    screenshot(page, "verify-genuine")


def open_record(page: Page, national_code: str) -> None:
    page.goto("/office/search")
    page.fill("#f-national_code", national_code)
    page.click("main form button[type=submit]")


def test_every_certificate_of_a_person_is_issued_and_printed_from_their_page(page: Page, ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    register(ctx, staff, DivorceDeclaration(**divorce(husband, wife)))
    register(ctx, staff, DeathDeclaration(**death(husband, death_date="2025-05-31")))
    sign_in(page, "registrar")
    open_record(page, husband)
    offered = page.locator(".certificates button")
    expect(offered).to_have_count(5)
    screenshot(page, "person-certificates")
    serials = []
    for index in range(5):
        assert offered.nth(index).inner_text().startswith("صدور و چاپ")
        with page.expect_download() as download:
            offered.nth(index).click()
        serials.append(download.value.suggested_filename)
    assert [serial[0] for serial in serials] == ["B", "E", "D", "M", "T"]  # birth, extract, death, marriage, divorce
    open_record(page, husband)
    assert all(text.startswith("چاپ مجدد") for text in offered.all_inner_texts())  # now reprinted, not issued
    expect(page.locator("table").nth(1)).to_contain_text("گواهی ثبت طلاق")


def test_a_forged_certificate_code_is_rejected_on_the_public_page(page: Page, ctx, staff):
    person = adult(ctx, staff, "female")
    issued = certificates.issue_certificate(
        ctx, actor=staff["registrar"], request=CertificateRequest(kind="birth", national_code=person)
    )
    payload = bytearray(zlib.decompress(base45.b45decode(issued.code.removeprefix("SB1:"))))
    name = issued.facts["fn"].encode()
    payload[payload.index(name) + len(name) - 1] ^= 1  # one letter of the signed name changed: a forger's edit
    forged = "SB1:" + base45.b45encode(zlib.compress(bytes(payload))).decode()
    page.goto("/verify")
    page.fill("#code", forged)
    page.click("main form button[type=submit]")
    expect(page.locator(".verdict.bad h2")).to_have_text("این گواهی تأیید نشد: احتمال جعل")
    assert page.locator(".verdict.good").count() == 0  # never shown as genuine beside the refusal
    screenshot(page, "verify-forged")


def test_a_refused_form_says_why_next_to_the_field_and_keeps_what_was_typed(page: Page):
    sign_in(page, "clerk")
    fill_birth(page, first_name="کیان", birth_date="1405/01/01")  # after the test's today
    page.click("text=بررسی و ادامه")
    expect(page.locator("#f-birth_date-error")).to_have_text("تاریخ در آینده است.")
    expect(page.locator("#f-birth_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-first_name")).to_have_value("کیان")
    expect(page.locator("#f-county")).to_have_value("2301")
    screenshot(page, "declare-birth-refused")
    page.fill("#f-father-national_code", "0499370899")
    page.locator("#f-father-national_code").dispatch_event("change")
    expect(page.locator("#f-father-national_code + output")).to_have_text(
        "شخصی با کد ملی ۰۴۹۹۳۷۰۸۹۹ در ثبت وجود ندارد."
    )
    assert page.locator("#f-first_name").input_value() == "کیان"  # the look-up kept what was typed


def _no_library_english(page: Page) -> None:
    messages = page.locator("#form-errors li, main p.error").all_inner_texts()
    assert messages and [text for text in messages if re.search("[A-Za-z]{3,}", text)] == []


def test_every_refusal_of_a_form_is_persian_and_next_to_its_field(page: Page):
    """An empty form marks every input it needs, the declarant's and the evidence's too; a name too long
    and one witness alone are refused next to their inputs; the list at the top names each field; no
    library English reaches the page; a birth order in Persian digits is taken."""
    sign_in(page, "clerk")
    page.goto("/office/declare/birth")
    page.click("text=بررسی و ادامه")
    needed = ("first_name", "last_name", "sex", "birth_date", "county", "declarant-relation", "evidence-kind")
    for name in needed:
        expect(page.locator(f"#f-{name}")).to_have_attribute("aria-invalid", "true")
    assert all("الزامی" in item and ": " in item for item in page.locator("#form-errors li").all_inner_texts())
    _no_library_english(page)
    fill_birth(page, birth_date="۱۴۰۴/۰۳/۰۱")
    page.evaluate("document.querySelector('#f-first_name').value = 'آ'.repeat(121)")
    page.fill("#f-birth_order", "۲")
    page.click("text=بررسی و ادامه")
    expect(page.locator("#f-first_name-error")).to_have_text("بیش از اندازه بلند است: حداکثر ۱۲۰ نویسه بنویسید.")
    expect(page.locator("#f-birth_order-error")).to_have_count(0)
    _no_library_english(page)
    page.fill("#f-first_name", "آوا")
    page.select_option("#f-evidence-kind", "witnesses")
    page.fill("#f-evidence-witnesses-0-first_name", "حسن")
    page.fill("#f-evidence-witnesses-0-last_name", "نوری")
    page.click("text=بررسی و ادامه")
    expect(page.locator("#f-evidence-witnesses-1-first_name-error")).to_have_text(
        "گواهی شهود به دو شاهد متفاوت نیاز دارد."
    )
    screenshot(page, "declare-birth-witness-refused")


def test_the_calendar_agrees_with_the_registry_on_every_day_it_shows(page: Page):
    sign_in(page, "clerk")
    page.goto("/office/declare/birth")
    for day in (
        dt.date(1990, 3, 21),
        dt.date(2024, 3, 20),
        dt.date(2025, 3, 20),
        dt.date(2025, 3, 21),
        dt.date(2026, 11, 25),
        dt.date(2000, 2, 29),
    ):
        shown = page.evaluate(f"sabtJalali.fromGregorian({day.year}, {day.month}, {day.day})")
        expected = jdatetime.date.fromgregorian(date=day)
        assert (shown["jy"], shown["jm"], shown["jd"]) == (expected.year, expected.month, expected.day)
    page.click("#f-birth_date + button")
    page.keyboard.press("Escape")
    expect(page.locator(".calendar")).to_have_count(0)


def test_the_calendar_marks_today_and_steps_by_month_and_by_year(page: Page):
    sign_in(page, "clerk")
    page.goto("/office/declare/birth")
    page.click("#f-birth_date + button")  # an empty field opens on this month, today marked
    now = jdatetime.date.today()
    marked = page.locator(".calendar [aria-current=date]")
    expect(marked).to_have_text(to_persian_digits(str(now.day)))
    assert (marked.get_attribute("aria-label") or "").endswith("، امروز")  # a screen reader hears it too
    page.keyboard.press("Escape")
    page.fill("#f-birth_date", "۱۴۰۳/۱۲/۱۰")
    page.click("#f-birth_date + button")
    heading = page.locator(".calendar strong")
    expect(page.locator(".calendar [aria-current=date]")).to_have_count(0)
    page.click(".calendar [data-step='1']")
    expect(heading).to_have_text("فروردین ۱۴۰۴")  # past Esfand into the next year
    page.click(".calendar [data-step='-12']")
    expect(heading).to_have_text("فروردین ۱۴۰۳")
    page.click(".calendar [data-step='12']")
    page.click(".calendar [data-step='12']")
    expect(heading).to_have_text("فروردین ۱۴۰۵")


DECLARATION_FORMS = tuple(f"/office/declare/{kind}" for kind in ("birth", "death", "marriage", "divorce"))


def test_every_field_has_a_label_and_the_keyboard_reaches_the_content(page: Page):
    sign_in(page, "registrar")
    for path in ("/office", *DECLARATION_FORMS, "/office/search", "/verify"):
        page.goto(path)
        unlabelled = page.eval_on_selector_all(
            "main input:not([type=hidden]), main select, main textarea",
            "fields => fields.filter(f => f.labels.length === 0 && !f.closest('label')).map(f => f.name)",
        )
        assert unlabelled == [], (path, unlabelled)
        assert page.evaluate("document.documentElement.dir") == "rtl"
    page.goto("/office")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/office#content")


def test_text_contrast_passes_wcag_aa_on_the_main_pages(page: Page):
    sign_in(page, "registrar")
    for path in ("/office", "/office/declare/birth", "/office/search", "/verify", "/stats"):
        page.goto(path)
        failures = page.evaluate(CONTRAST_CHECK)
        assert failures == [], (path, failures[:5])


def test_a_citizen_sees_who_checked_them_and_locks_their_code(page: Page, ctx, staff, api):
    person = adult(ctx, staff, "female", first_name="زهرا")
    verification.enrol_citizen(
        ctx,
        actor=staff["registrar"],
        citizen=CitizenIn(national_code=person, username="zahra", password="a long passphrase"),
    )
    bank = {
        "code": "bank",
        "name": "بانک ملی",
        "kind": "bank",
        "contact": "ops",
        "rate_per_minute": 600,
        "policy": {"checks": ["verify"], "purpose": "KYC"},
    }
    api.post("/api/partners", as_="admin", json=bank)
    key = api.post("/api/partners/bank/keys", as_="admin").json()["api_key"]
    api.post(
        "/api/identity/verify",
        headers={"X-API-Key": key},
        json={"national_code": person, "first_name": "زهرا", "purpose": "opening an account"},
    )
    born = {"reference": "BN-9", "sex": "male", "birth_date": "2025-05-30", "county": "2301"}
    notified = api.post(
        "/api/notifications/births",
        headers={"X-API-Key": hospital_key(ctx)},
        json=born | {"mother": {"national_code": person}},
    )
    assert notified.status_code == 201, notified.text
    sign_in(page, "zahra", "a long passphrase")
    expect(page).to_have_url("/me")
    expect(page.locator("h1")).to_have_text("زهرا رضایی")
    told = page.locator("main table").nth(1)
    expect(told).to_contain_text("بانک ملی")
    expect(told.locator("tr", has_text="بیمارستان امام خمینی")).to_contain_text("اعلام ولادت فرزند شما")
    screenshot(page, "citizen")
    page.click("text=قفل کردن کد ملی")
    expect(page.locator(".notice.good")).to_have_text("کد ملی شما قفل شد.")
    answer = api.post(
        "/api/identity/verify",
        headers={"X-API-Key": key},
        json={"national_code": person, "first_name": "زهرا", "purpose": "again"},
    )
    assert answer.json()["status"] == "locked"
    assert to_persian_digits(person) not in page.url and person not in page.url  # no personal data in addresses
    page.click("text=خروج")
    expect(page).to_have_url("/login")
    page.goto("/me")
    expect(page).to_have_url("/login")  # the session ended with the sign-out


# Every text node's colour against the first opaque background behind it (WCAG 2 relative luminance).
CONTRAST_CHECK = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const c = [r, g, b].map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3); } return [255, 255, 255]; };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.offsetParent || el.closest('.skip')) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push([node.textContent.trim().slice(0, 30), ratio.toFixed(2)]);
  }
  return failures;
}"""


PHONE_PAGES = {
    None: ("/login", "/verify", "/stats"),
    "registrar": (
        "/office",
        *DECLARATION_FORMS,
        "/office/search",
        "/office/events/{event}",
        "/account",
        "/verify",
        "/stats",
    ),
    "head": ("/office/dashboard", "/office/queues/to-validate", "/office/queues/printed"),
    "investigator": ("/office/linkage",),
    "auditor": ("/office/access",),
    "admin": ("/office/security",),
}


def test_every_page_fits_a_phone_with_its_menu_folded(page: Page, ctx, staff):
    """At 360 px no page scrolls sideways, and the sections fold into one menu button that opens them."""
    event = registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    page.set_viewport_size({"width": 360, "height": 800})
    too_wide = []
    for username, paths in PHONE_PAGES.items():
        if username:
            sign_in(page, username)
        for path in paths:
            page.goto(path.format(event=event.id))
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                too_wide.append((username, path, overflow))
        if username:
            page.click("header form button")  # sign out
    assert too_wide == [], too_wide
    sign_in(page, "registrar")
    expect(page.locator("header nav")).to_be_hidden()
    page.click("header button.menu")
    expect(page.locator("header nav")).to_be_visible()
    expect(page.locator("header button.menu")).to_have_attribute("aria-expanded", "true")
    screenshot(page, "phone-desk")
    page.goto("/office/declare/birth")
    screenshot(page, "phone-declare-birth")
    page.goto("/verify")
    screenshot(page, "phone-verify")
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(page.locator("header nav")).to_be_visible()
    expect(page.locator("header button.menu")).to_be_hidden()


def test_the_public_statistics_dashboard_shows_figures_a_map_and_downloads(page: Page, ctx, staff):
    for year in (1980, 1985, 1990, 1995, 2000, 2005):
        adult(ctx, staff, "female", year=year)
    stroke = {"part1": [{"condition": "سکته مغزی", "icd10": "I64"}], "underlying": "I64", "manner": "disease"}
    register(ctx, staff, DeathDeclaration(**death(adult(ctx, staff, "male", year=1940), cause_of_death=stroke)))
    page.goto("/stats?map=coverage_percent")
    circulatory = page.locator("table.causes tr", has_text="بیماری‌های دستگاه گردش خون")
    expect(circulatory.locator("td").nth(0)).to_have_text("I00-I99")
    expect(circulatory.locator("td").nth(1)).to_have_text("—")  # one death: too few to publish
    expect(page.locator("h1")).to_have_text("آمار حیاتی کشور")
    expect(page.locator("svg.map g")).to_have_count(31)  # every province has its tile
    expect(page.locator("svg.map")).to_contain_text("تهران")
    expect(page.locator(".hint").first).to_contain_text("پنهان شده‌اند")  # the public sees protected figures
    page.select_option("#map-choice", "births_on_time_percent")
    page.click("text=نمایش")
    expect(page).to_have_url("/stats?map=births_on_time_percent&base=census#map")
    with page.expect_download() as download:
        page.click("a:text('CSV') >> nth=0")
    assert download.value.suggested_filename.endswith(".csv")
    screenshot(page, "stats")
    page.set_viewport_size({"width": 360, "height": 800})  # the map keeps a readable size in its own box
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator("svg.map").bounding_box()["width"] > 360
    screenshot(page, "phone-stats")


def test_a_registrar_is_warned_of_a_duplicate_birth_and_an_investigator_merges_it(page: Page, ctx, staff):
    born = dt.date(2001, 4, 10)
    parents = {
        "father": {"first_name": "حسین", "last_name": "کریمی"},
        "mother": {"first_name": "زهرا", "last_name": "موسوی"},
    }
    first = registered_person(ctx, staff, born=born, sex="male", first_name="محمدرضا", last_name="کریمی", **parents)
    registered_person(ctx, staff, born=born, sex="male", first_name="محمدرزا", last_name="کریمی", **parents)
    again = registry.declare(
        ctx,
        actor=staff["clerk"],
        declaration=BirthDeclaration(
            **birth(sex="male", first_name="محمد رضا", last_name="کریمی", birth_date=born.isoformat(), **parents)
        ),
    )
    twice = registry.declare(  # the same child declared at another office too, and not registered yet
        ctx,
        actor=staff["isf_clerk"],
        declaration=BirthDeclaration(
            **birth(sex="male", first_name="محمدرضا", last_name="کریمی", birth_date=born.isoformat(), **parents)
        ),
    )
    sign_in(page, "registrar")
    page.goto(f"/office/events/{again.id}")
    warning = page.locator("[aria-labelledby=duplicates-title]")
    expect(warning).to_contain_text(to_persian_digits(first))
    expect(warning).to_contain_text("هم‌آوا")
    expect(warning).to_contain_text(f"اعلام ولادت شماره {to_persian_digits(str(twice.id))}، اداره اصفهان")
    screenshot(page, "duplicate-warning")
    assert page.evaluate(CONTRAST_CHECK) == []
    page.click("header form button")  # sign out
    linkage.run_linkage(ctx, actor=staff["investigator"])
    sign_in(page, "investigator")
    expect(page).to_have_url("/office/linkage")  # an investigator's work, not an office's desk
    assert page.evaluate(CONTRAST_CHECK) == []
    screenshot(page, "linkage-queue")
    page.click("main table a")
    expect(page.locator("h1")).to_contain_text("تکراری")
    assert page.evaluate(CONTRAST_CHECK) == []
    screenshot(page, "linkage-case")
    page.check("input[value=duplicate]")
    page.fill("#note", "یک نفر با دو شناسنامه")
    page.click("main form button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("تصمیم ثبت شد")
    assert linkage.list_cases(ctx, actor=staff["investigator"], status="duplicate").total == 1


def test_a_possible_twin_is_named_on_the_event_page_the_queue_and_the_case(page: Page, ctx, staff):
    """علی and محمدعلی of one mother on one day may be one child or twins: every page that shows the pair says
    so, on a computer's screen and on a phone's."""
    born = dt.date(2001, 4, 10)
    parents = {
        "father": {"first_name": "حسین", "last_name": "کریمی"},
        "mother": {"first_name": "زهرا", "last_name": "موسوی"},
    }
    registered_person(ctx, staff, born=born, sex="male", first_name="علی", last_name="کریمی", **parents)
    declared = registry.declare(
        ctx,
        actor=staff["clerk"],
        declaration=BirthDeclaration(
            **birth(sex="male", first_name="محمدعلی", last_name="کریمی", birth_date=born.isoformat(), **parents)
        ),
    )
    sign_in(page, "registrar")
    page.goto(f"/office/events/{declared.id}")
    expect(page.locator("[aria-labelledby=duplicates-title]")).to_contain_text("شاید دوقلو")
    screenshot(page, "possible-twin-warning")
    page.click("header form button")  # sign out
    registered_person(ctx, staff, born=born, sex="male", first_name="محمدعلی", last_name="کریمی", **parents)
    linkage.run_linkage(ctx, actor=staff["investigator"])
    sign_in(page, "investigator")
    expect(page.locator("main table").first).to_contain_text("تکراری — شاید دوقلو")
    screenshot(page, "possible-twin-queue")
    page.click("main table a")
    expect(page.locator("[role=note]")).to_contain_text("شاید دوقلو باشند")
    assert page.evaluate(CONTRAST_CHECK) == []
    screenshot(page, "possible-twin-case")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-possible-twin-case")
    page.set_viewport_size({"width": 1366, "height": 800})


def test_the_api_reference_works_offline_under_the_pages_policy(page: Page, server: str):
    """/docs loads nothing from elsewhere (the browser is kept off every other host) and breaks no rule of
    the Content-Security-Policy, and shows the registry's operations."""
    elsewhere: list[str] = []

    def only_the_registry(route: Route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_registry)
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    response = page.goto("/docs")
    assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path")
    paths = [path.strip().replace("\u200b", "") for path in page.locator(".opblock-summary-path").all_inner_texts()]
    assert "/api/events/{event_id}/register" in paths
    assert elsewhere == [] and refused == []
    screenshot(page, "api-docs")


BIRTH_EVIDENCE = {
    "kind": "medical_certificate",
    "issuer": "facility",
    "issuer_name": "بیمارستان میلاد",
    "document_number": "BC-2026-77",
}


def test_an_events_page_reads_as_the_registrar_reads_a_declaration(page: Page, ctx, staff):
    """Labels and values in Persian words, dates Jalali in Persian digits, the county and office by name, a
    document's number as typed, the child's name in the title; at the desk and on a phone."""
    event = registry.declare(
        ctx,
        actor=staff["clerk"],
        declaration=BirthDeclaration(**birth(evidence=BIRTH_EVIDENCE, birth_date="2025-05-25")),
    )
    sign_in(page, "registrar")
    page.goto(f"/office/events/{event.id}")
    assert "سارا رضایی" in page.title()
    facts = page.locator("main").inner_text()
    for shown in ("گواهی پزشک، ماما یا زایشگاه", "بیمارستان یا زایشگاه", "زن", "پدر", "تهران (۲۳۰۱)", "اداره تهران"):
        assert shown in facts, shown
    assert "۱۴۰۴/۰۳/۰۴" in facts and "BC-2026-77" in facts  # 25 May 2025, and the number as typed
    internal = re.findall(r"\b(?:first_name|female|medical_certificate|facility|father|THR|2301)\b", facts)
    assert internal == []
    screenshot(page, "event-page")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "phone-event-page")
    deceased = adult(ctx, staff, "female", first_name="پروین", last_name="اعتصامی")
    died = registry.declare(ctx, actor=staff["clerk"], declaration=DeathDeclaration(**death(deceased)))
    page.goto(f"/office/events/{died.id}")
    assert "پروین اعتصامی" in page.title()  # the deceased, named by code in the declaration
    expect(page.locator("table.facts").last).to_contain_text(f"{to_persian_digits(deceased)} (پروین اعتصامی)")


def test_a_rejected_declaration_waits_on_the_desk_and_is_sent_back_corrected(page: Page, ctx, staff):
    event = registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(first_name="ساراا")))
    reason = "نام نوزاد با گواهی ولادت یکی نیست"
    registry.reject_event(ctx, actor=staff["registrar"], event_id=event.id, reason=reason)
    sign_in(page, "clerk")
    queue = page.locator("#to-correct + table")
    expect(queue).to_contain_text(reason)
    expect(queue).to_contain_text("ساراا رضایی")
    screenshot(page, "desk")
    queue.locator("a").click()
    page.click("text=اصلاح و ارسال مجدد")
    expect(page.locator("#form-errors")).to_contain_text(reason)
    expect(page.locator("#f-first_name")).to_have_value("ساراا")
    expect(page.locator("#f-evidence-document_number")).to_have_value(event.data["evidence"]["document_number"])
    page.fill("#f-first_name", "سارا")
    page.click("text=بررسی و ادامه")
    page.click("text=ثبت اعلام")
    expect(page.locator("[role=status]")).to_contain_text("ارسال مجدد")
    sent_back = registry.get_event(ctx, actor=staff["registrar"], event_id=event.id)
    assert (sent_back.status, sent_back.data["first_name"], sent_back.declared_on) == (
        "declared",
        "سارا",
        event.declared_on,
    )


def test_the_desk_holds_each_queue_and_a_registrar_takes_up_work_and_pages_through_it(page: Page, ctx, staff):
    def declared(**changes):
        return registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(**changes)))

    rejected = declared(first_name="رها")
    registry.reject_event(ctx, actor=staff["registrar"], event_id=rejected.id, reason="گواهی ولادت ناخوانا است")
    declared(first_name="کیان", birth_date="2025-01-01")  # late: waits for the office head
    validated = declared(first_name="مینا")
    registry.validate_event(ctx, actor=staff["registrar"], event_id=validated.id)
    waiting = [declared(first_name="آوا", birth_time=f"{hour:02}:00") for hour in range(12)]
    child = registered_person(ctx, staff, born=dt.date(2025, 5, 20), first_name="نیما")
    printed = certificates.issue_certificate(
        ctx, actor=staff["registrar"], request=CertificateRequest(kind="extract", national_code=child)
    )
    certificates.print_certificate(ctx, actor=staff["clerk"], serial=printed.serial)
    sign_in(page, "registrar")
    expect(page.locator("#to-correct + table")).to_contain_text("گواهی ولادت ناخوانا است")
    expect(page.locator("#to-approve + table")).to_contain_text("کیان")
    expect(page.locator("#to-register + table")).to_contain_text("مینا")
    expect(page.locator("#to-validate")).to_contain_text(to_persian_digits(str(len(waiting) + 1)))  # with کیان
    expect(page.locator("#to-validate + table tbody tr")).to_have_count(10)  # the oldest; the rest a page away
    expect(page.locator("#printed + table")).to_contain_text(printed.serial)
    expect(page.locator("#mine + p")).to_have_text("موردی نیست.")
    page.click(f"#to-validate + table a:text('{to_persian_digits(str(waiting[0].id))}')")
    page.click("text=برداشتن برای خودم")
    holder = page.locator("table.facts tr", has_text="در دست")
    expect(holder.locator("td")).to_contain_text("registrar")
    expect(holder.locator("button")).to_have_text("رها کردن")
    page.goto("/office")
    expect(page.locator("#mine + table")).to_contain_text("آوا")
    expect(page.locator("#to-validate + table")).to_contain_text("registrar")
    screenshot(page, "desk-queues")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(page.locator("#mine + table td[data-label='نام']")).to_be_visible()  # a row is a card
    screenshot(page, "phone-desk-queues")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.click("#to-validate ~ p a")
    expect(page.locator("h1")).to_contain_text("اعلام‌های در انتظار بررسی")
    expect(page.locator("main table tbody tr")).to_have_count(13)  # one page holds them all
    assert page.goto("/office/queues/to-validate?page=2").status == 404  # past the last page
    expect(page.locator("main")).to_contain_text("این صف صفحه ۲ ندارد.")
    assert page.goto("/office/queues/no-such-queue").status == 404


def test_the_office_head_reads_the_office_s_dashboard(page: Page, ctx, staff):
    for born in ("2025-05-25", "2025-04-25"):  # one on time, one late (approved by the head)
        register(ctx, staff, BirthDeclaration(**birth(birth_date=born)))
    registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(first_name="مینا")))
    sign_in(page, "head")
    page.click("text=داشبورد اداره")
    expect(page.locator("h1")).to_have_text("داشبورد اداره تهران")
    expect(page.locator("svg.chart")).to_be_visible()
    weeks = page.locator("main table").nth(0)
    expect(weeks.locator("tbody tr").first).to_contain_text("۱۴۰۴/۰۳/۱۰")  # this week, from Saturday
    expect(page.locator("main table").nth(1)).to_contain_text("۵۰٫۰٪")  # births on time: one of two
    expect(page.locator("main table").nth(3)).to_contain_text("registrar")
    expect(page.locator("main table").nth(4)).to_contain_text("تهران")
    screenshot(page, "office-dashboard")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "phone-office-dashboard")
    page.click("header form button")  # sign out
    sign_in(page, "registrar")
    assert page.goto("/office/dashboard").status == 403


def test_back_after_confirming_or_finding_a_record_reaches_a_page_not_an_error(page: Page, ctx, staff):
    sign_in(page, "clerk")
    fill_birth(page)
    page.fill("#f-birth_date", "۱۴۰۴/۰۳/۰۵")
    page.click("text=بررسی و ادامه")
    page.click("text=ثبت اعلام")
    expect(page.locator("h1")).to_contain_text("اعلام‌شده")
    page.go_back()  # past the confirmation screen, a form answer the browser cannot send again
    expect(page.locator("h1")).to_have_text("اعلام ولادت")
    expect(page.locator("#f-first_name")).to_have_value("")  # a new form, not a second declaration
    assert page.url.endswith("/office/declare/birth")
    code = adult(ctx, staff, "female", first_name="نسرین")
    open_record(page, code)
    expect(page.locator("h1")).to_contain_text("نسرین")
    page.goto("/verify")
    page.go_back()
    expect(page.locator("h1")).to_have_text("جستجوی شخص")
    assert page.url.endswith("/office/search")


def test_a_registrar_declares_a_death_with_its_certificate_coded_and_a_wrong_code_is_named(page: Page, ctx, staff):
    deceased = adult(ctx, staff, "male", year=1950, first_name="کاظم")
    sign_in(page, "registrar")
    page.goto("/office/declare/death")
    page.fill("#f-national_code", to_persian_digits(deceased))
    page.fill("#f-death_date", "۱۴۰۴/۰۳/۰۷")
    page.select_option("#f-province", "23")
    page.select_option("#f-county", "2301")
    page.fill("#f-cause_of_death-part1-0-condition", "انفارکتوس حاد میوکارد")
    page.fill("#f-cause_of_death-part1-0-icd10", "i219")
    page.fill("#f-cause_of_death-part1-0-interval-amount", "۲")
    page.select_option("#f-cause_of_death-part1-0-interval-unit", "hours")
    page.fill("#f-cause_of_death-part1-1-condition", "بیماری قلبی ناشی از فشار خون")
    page.fill("#f-cause_of_death-part1-1-icd10", "I11.9")
    page.fill("#f-cause_of_death-part1-1-interval-amount", "۶")
    page.select_option("#f-cause_of_death-part1-1-interval-unit", "years")
    page.fill("#f-cause_of_death-underlying", "I21")
    page.select_option("#f-cause_of_death-manner", "disease")
    page.select_option("#f-declarant-relation", "sibling")
    page.fill("#f-declarant-first_name", "حمید")
    page.fill("#f-declarant-last_name", "نوری")
    page.select_option("#f-evidence-kind", "medical_certificate")
    page.select_option("#f-evidence-issuer", "physician")
    page.fill("#f-evidence-document_number", "DC-7001")
    page.click("text=بررسی و ادامه")
    expect(page.locator("#f-cause_of_death-underlying-error")).to_have_text(
        "I21 زیرگروه دارد: رقم چهارم را هم بنویسید (مثلاً I21.9)."
    )
    # Only the codes and the classification's name are Latin: no library English.
    messages = page.locator("#form-errors li, main p.error").all_inner_texts()
    assert messages and [text for text in messages if re.search("[a-z]{2,}", text)] == []
    screenshot(page, "declare-death-certificate-refused")
    page.fill("#f-cause_of_death-underlying", "i11.9")
    page.click("text=بررسی و ادامه")
    expect(page.locator("h1")).to_have_text("تأیید اعلام وفات")
    facts = page.locator("table.facts")
    expect(facts).to_contain_text("I21.9")
    expect(facts).to_contain_text("سال")
    page.click("text=ثبت اعلام")
    expect(page.locator("h1")).to_contain_text("اعلام‌شده")
    expect(page.locator("main")).to_contain_text("علت زمینه‌ای مرگ")
    screenshot(page, "death-with-certificate")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "death-with-certificate-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def hospital_key(ctx) -> str:
    """A hospital that may notify births, and its API key."""
    partner = {
        "code": "hospital-imam",
        "name": "بیمارستان امام خمینی",
        "kind": "health",
        "contact": "it@hospital.example",
        "policy": {"checks": [], "notifications": ["birth"], "purpose": "notification of vital events"},
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    return verification.create_key(ctx, actor=None, partner_code="hospital-imam").api_key


def test_a_notified_birth_becomes_a_declaration_in_three_steps(page: Page, server, ctx, staff):
    mother = adult(ctx, staff, "female", year=1995, first_name="نرگس")
    key = hospital_key(ctx)
    notified = {
        "reference": "BN-77",
        "sex": "male",
        "birth_date": "2025-05-30",
        "birth_time": "07:40",
        "county": "2301",
        "birth_order": 1,
        "mother": {"national_code": mother},
    }
    assert httpx.post(f"{server}/api/notifications/births", json=notified, headers={"X-API-Key": key}).is_success
    sign_in(page, "registrar")
    waiting = page.locator("#notified + p + table tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("بیمارستان امام خمینی")
    screenshot(page, "desk-notified")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "phone-desk-notified")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.click("text=اعلام با خانواده")  # one: the form, filled in with what the hospital said
    expect(page.locator("#f-sex")).to_have_value("male")
    expect(page.locator("#f-mother-national_code")).to_have_value(to_persian_digits(mother))
    expect(page.locator("#f-birth_date")).to_have_value("۱۴۰۴/۰۳/۰۹")
    expect(page.locator("#f-evidence-document_number")).to_have_value("BN-77")
    page.fill("#f-first_name", "کیان")
    page.fill("#f-last_name", "رضایی")
    page.fill("#f-father-first_name", "علی")
    page.fill("#f-father-last_name", "رضایی")
    page.select_option("#f-declarant-relation", "mother")
    screenshot(page, "declare-birth-from-notification")
    page.click("text=بررسی و ادامه")  # two: the confirmation screen
    page.click("text=ثبت اعلام")  # three: declared
    expect(page.locator("h1")).to_contain_text("اعلام‌شده")
    page.goto("/office")
    expect(page.locator("#notified")).to_contain_text("(۰)")


def test_a_registrar_dismisses_a_notification_sent_twice_from_its_page(page: Page, server, ctx, staff):
    mother = adult(ctx, staff, "female", year=1995, first_name="نرگس")
    key = hospital_key(ctx)
    for reference in ("BN-77", "BN-77-again"):
        notified = {
            "reference": reference,
            "sex": "male",
            "birth_date": "2025-05-30",
            "county": "2301",
            "mother": {"national_code": mother},
        }
        assert httpx.post(f"{server}/api/notifications/births", json=notified, headers={"X-API-Key": key}).is_success
    sign_in(page, "registrar")
    page.goto("/office/notifications")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("summary").click()
    rows.nth(1).locator("input[value=duplicate]").check()
    rows.nth(1).locator("input[name=note]").fill("همان ولادت BN-77")
    screenshot(page, "notifications-dismiss")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "phone-notifications-dismiss")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    rows.nth(1).locator("button[type=submit]").click()
    expect(page.locator("[role=status]")).to_contain_text("اعلام مرکز درمانی بسته شد")
    expect(page.locator("#notified")).to_contain_text("(۱)")
