"""Signing in as staff in the real Chromium on a server that asks for a second factor: an authenticator
app's codes (TOTP, computed here as the phone would), a passkey on Chromium's virtual authenticator
(WebAuthn over the DevTools protocol), a correction that asks for the factor again; and a citizen who sees
a clerk's read of their record."""

import base64
import datetime as dt
import json
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect
from sqlalchemy import update

from sabt.accounts.models import SecondFactor
from sabt.verification import service as verification
from sabt.verification.schemas import CitizenIn
from tests.integration.registry.factories import adult

from .conftest import PASSWORD, open_tab, screenshot, sign_in


@pytest.fixture
def strict_page(browser: Browser, strict_server: str, ctx) -> Iterator[Page]:
    """A tab on the server that asks staff for a second factor, at an office monitor's width."""
    yield from open_tab(browser, strict_server, width=1366)


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """Chromium's virtual authenticator (DevTools WebAuthn domain): a platform key that verifies its user."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    return devtools, devtools.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]


def later(ctx, seconds: int) -> None:
    ctx.clock.current = ctx.now() + dt.timedelta(seconds=seconds)


def enrol_app(page: Page, ctx, username: str) -> pyotp.TOTP:
    """First sign-in: the QR code's secret goes into the app, its first code confirms it."""
    sign_in(page, username)
    expect(page).to_have_url("/login/enrol")
    screenshot(page, "enrol-second-factor")
    page.click("text=نمایش کد QR")
    expect(page.locator("img.qr")).to_be_visible()
    screenshot(page, "enrol-totp")
    app = pyotp.TOTP(page.locator("#secret").inner_text().strip())
    page.fill("#code", app.at(ctx.now()))
    page.click("main button[type=submit]")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "recovery-codes")
    page.click("text=ادامه")
    expect(page).to_have_url("/office")
    return app


def sign_out(page: Page) -> None:
    page.click("header button[type=submit]")
    expect(page).to_have_url("/login")


def test_a_registrar_enrols_an_authenticator_app_and_signs_in_with_its_codes(strict_page: Page, ctx):
    app = enrol_app(strict_page, ctx, "registrar")
    sign_out(strict_page)
    later(ctx, 60)
    sign_in(strict_page, "registrar")
    expect(strict_page).to_have_url("/login/factor")
    strict_page.fill("#code", "000000")
    strict_page.click("main form button[type=submit]")
    expect(strict_page.locator("#factor-error")).to_contain_text("رمز نادرست")
    strict_page.fill("#code", app.at(ctx.now()))
    strict_page.click("main form button[type=submit]")
    expect(strict_page).to_have_url("/office")
    assert strict_page.locator("header .who").inner_text() == "registrar"


def correct_a_first_name(page: Page, person: str) -> None:
    page.goto("/office/search")
    page.fill("#f-national_code", person)
    page.click("main form button[type=submit]")
    page.fill("#f-first_name", "زهره")
    page.fill("#f-reason", "رأی هیئت حل اختلاف")
    page.click("text=ثبت اصلاح")


def test_a_passkey_is_created_signs_in_and_steps_up_on_the_virtual_authenticator(strict_page: Page, ctx, staff):
    devtools, authenticator = virtual_authenticator(strict_page)
    sign_in(strict_page, "head")
    expect(strict_page).to_have_url("/login/enrol")
    strict_page.click("text=ساختن کلید عبور")
    expect(strict_page.locator("[data-passkey-codes] li")).to_have_count(10)
    credentials = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"
    strict_page.click("text=ادامه")
    expect(strict_page).to_have_url("/office")
    sign_out(strict_page)
    sign_in(strict_page, "head")
    expect(strict_page).to_have_url("/login/factor")
    screenshot(strict_page, "second-factor")
    strict_page.click("text=ورود با کلید عبور")
    expect(strict_page).to_have_url("/office")
    signed = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert signed[0]["signCount"] > credentials[0]["signCount"]
    later(ctx, 6 * 60)  # a correction now asks for the passkey again, and is made once it is given
    correct_a_first_name(strict_page, adult(ctx, staff, "female", first_name="زهرا"))
    expect(strict_page.locator("h1")).to_have_text("تأیید دوباره هویت")
    strict_page.click("text=تأیید با کلید عبور و ادامه")
    expect(strict_page.locator(".notice.good")).to_contain_text("پرونده اصلاح شد")


def test_a_correction_asks_for_the_second_factor_again_and_then_is_made(strict_page: Page, ctx, staff):
    person = adult(ctx, staff, "female", first_name="زهرا")
    app = enrol_app(strict_page, ctx, "head")
    later(ctx, 6 * 60)
    correct_a_first_name(strict_page, person)
    expect(strict_page.locator("h1")).to_have_text("تأیید دوباره هویت")
    screenshot(strict_page, "step-up")
    strict_page.fill("#step-up-code", "000000")
    strict_page.click("text=تأیید و ادامه")
    expect(strict_page.locator("main .notice")).to_contain_text("رمز نادرست")  # asked again, the form kept
    strict_page.fill("#step-up-code", app.at(ctx.now()))
    strict_page.click("text=تأیید و ادامه")
    expect(strict_page.locator(".notice.good")).to_contain_text("پرونده اصلاح شد")
    assert strict_page.locator("h1").inner_text().startswith("زهره")


def test_a_citizen_sees_the_clerk_s_read_of_their_record_made_a_minute_earlier(page: Page, ctx, staff):
    person = adult(ctx, staff, "female", first_name="زهرا")
    verification.enrol_citizen(
        ctx, actor=staff["registrar"], citizen=CitizenIn(national_code=person, username="zahra", password=PASSWORD)
    )
    sign_in(page, "isf_clerk")
    page.goto("/office/search")
    page.fill("#f-national_code", person)
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("زهرا")
    page.click("header button[type=submit]")
    later(ctx, 60)
    sign_in(page, "zahra")
    expect(page).to_have_url("/me")
    reads = page.locator("#staff-reads")
    expect(reads).to_contain_text("متصدی")
    expect(reads).to_contain_text("اداره اصفهان")
    expect(reads).not_to_contain_text("isf_clerk")
    assert "isf_clerk" not in page.content()  # the reader is named nowhere on the citizen's page
    screenshot(page, "citizen-staff-reads")


def test_a_replayed_a_foreign_or_a_cloned_passkey_answer_is_refused(strict_page: Page, ctx):
    virtual_authenticator(strict_page)
    sign_in(strict_page, "admin")
    strict_page.click("text=ساختن کلید عبور")
    expect(strict_page.locator("[data-passkey-codes] li")).to_have_count(10)
    strict_page.click("text=ادامه")
    sign_out(strict_page)
    sign_in(strict_page, "admin")
    sent: list[dict] = []
    strict_page.route("**/login/passkey", lambda route: (sent.append(route.request.post_data_json), route.continue_()))
    csrf = strict_page.locator("[data-passkey]").get_attribute("data-csrf")
    strict_page.click("text=ورود با کلید عبور")
    expect(strict_page).to_have_url("/office")
    answer = sent[0]

    def send(credential: dict) -> dict:
        headers = {"X-CSRF-Token": csrf}
        assert strict_page.request.post("/login/passkey/challenge", headers=headers).ok
        response = strict_page.request.post("/login/passkey", headers=headers, data=credential)
        return {"status": response.status, **response.json()}

    assert send(answer)["status"] == 401  # the same answer again: it signed another challenge
    client_data = json.loads(base64.urlsafe_b64decode(answer["response"]["clientDataJSON"] + "=="))
    foreign = base64.urlsafe_b64encode(json.dumps(client_data | {"origin": "https://sabt.example"}).encode())
    forged = answer | {"response": answer["response"] | {"clientDataJSON": foreign.decode().rstrip("=")}}
    refused = send(forged)
    assert (refused["status"], refused["code"]) == (401, "factor.passkey")
    with ctx.db.transaction() as session:  # as if a cloned authenticator had already signed further
        session.execute(update(SecondFactor).where(SecondFactor.kind == "webauthn").values(sign_count=10**6))
    sign_out(strict_page)
    sign_in(strict_page, "admin")
    strict_page.click("text=ورود با کلید عبور")
    expect(strict_page.locator("[data-passkey-error]")).to_contain_text("کلید عبور")
    expect(strict_page).to_have_url("/login/factor")
