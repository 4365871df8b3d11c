"""The partner, citizen and webhook commands on both databases."""

import json

import pytest

from ..registry.factories import adult


def test_an_operator_registers_a_partner_keys_and_subscriptions(sabt, ctx):
    added = sabt(
        "partner",
        "add",
        "pension",
        "--name",
        "صندوق بازنشستگی",
        "--kind",
        "pension",
        "--contact",
        "ops",
        "--purpose",
        "pension law",
        "--checks",
        "verify,ekyc",
        "--attributes",
        "first_name,alive",
        "--notices",
        "death.registered",
    )
    assert added.exit_code == 0, added.output
    created = sabt("partner", "key", "create", "pension")
    key = created.output.strip().splitlines()[-1]
    assert created.exit_code == 0 and key.startswith("sabt_")
    listed = json.loads(sabt("partner", "list", "--as", "admin").output)
    assert listed[0]["policy"]["attributes"] == ["first_name", "alive"] and listed[0]["keys"] == [key.split("_")[1]]
    subscribed = sabt("partner", "subscribe", "pension", "--url", "http://127.0.0.1:9/x", "--kinds", "death.registered")
    assert subscribed.exit_code == 0, subscribed.output
    refused = sabt("partner", "subscribe", "pension", "--url", "http://127.0.0.1:9/x", "--kinds", "birth.registered")
    assert refused.exit_code == 5 and "policy" in refused.output
    assert sabt("partner", "key", "revoke", key.split("_")[1]).exit_code == 0
    assert sabt("partner", "key", "revoke", "nope").exit_code == 3
    assert "0 new messages" in sabt("webhooks", "deliver").output
    assert json.loads(sabt("webhooks", "list", "--as", "admin").output) == []


@pytest.mark.parametrize(
    ("args", "exit_code", "words"),
    [
        (["--kind", "casino"], 1, "kind"),
        (["--checks", "everything"], 1, "checks"),
    ],
)
def test_a_bad_partner_is_refused_with_the_field(sabt, ctx, args, exit_code, words):
    base = ["partner", "add", "bad", "--name", "x", "--kind", "bank", "--contact", "c", "--purpose", "p"]
    result = sabt(*base, *args)
    assert result.exit_code == exit_code and words in result.output


def test_a_registrar_opens_a_citizens_account(sabt, ctx, staff):
    code = adult(ctx, staff, "female")
    opened = sabt("citizen", "add", code, "--username", "aava", "--password", "a long passphrase", "--as", "registrar")
    assert opened.exit_code == 0, opened.output
    again = sabt("citizen", "add", code, "--username", "aava2", "--password", "a long passphrase", "--as", "registrar")
    assert again.exit_code == 4 and "حساب کاربری دارد" in again.output
