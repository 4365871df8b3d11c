"""Use cases of the identity QR: a card holder's ID Claim 169 code, made for the holder or for the office
printing the card, and checked online against the registry's keys and the card's status.

The code is signed with the registry's document-signing key (the one that signs certificates' codes), so
one key set serves both; Claim 169 verifiers find it as a JWK Set at `/.well-known/jwks.json` under the
code's issuer. Only what the card itself shows goes in: names (and their reversible Latin
transliteration, `core.transliteration`), date of birth, sex, county of birth and nationality; no photo,
no parents, no address.
"""

import datetime as dt

import segno

from ..cards import service as cards
from ..cards.schemas import CardOut
from ..certificates import service as certificates
from ..context import Context
from ..core.cards import CardStatus
from ..core.errors import SabtError
from ..core.permissions import Actor
from ..core.transliteration import to_latin
from ..registry import service as registry
from ..registry.schemas import PersonOut
from . import claim169
from .errors import REFUSALS, CredentialNoActiveCard
from .schemas import IdentityCodeOut, IdentityVerifiedOut

COUNTRY = "IRN"  # ISO 3166-1 alpha-3, as Claim 169 and ICAO 9303 write it
LANGUAGE, SECONDARY_LANGUAGE = "fas", "eng"  # the Latin name is a transliteration, for readers of Latin
QR_ERROR_CORRECTION = "q"


def my_identity_code(ctx: Context, *, actor: Actor) -> IdentityCodeOut:
    """The signed-in citizen's own identity QR, while their card is active."""
    return _identity_code(ctx, registry.own_record(ctx, actor=actor), cards.my_cards(ctx, actor=actor))


def identity_code(ctx: Context, *, actor: Actor, national_code: str) -> IdentityCodeOut:
    """A card holder's identity QR for the office printing the card, or asked for at an office; the
    record's read is in the access log."""
    person = registry.get_person(ctx, actor=actor, national_code=national_code, purpose="identity QR")
    return _identity_code(ctx, person, cards.cards_of(ctx, actor=actor, national_code=person.national_code))


def _identity_code(ctx: Context, person: PersonOut, held: list[CardOut]) -> IdentityCodeOut:
    today = ctx.today()
    card = next(
        (
            card
            for card in held
            if card.status == CardStatus.ACTIVE and card.expires_on is not None and card.expires_on.gregorian >= today
        ),
        None,
    )
    if card is None or card.serial is None or card.expires_on is None or not person.alive:
        raise CredentialNoActiveCard()
    expires = dt.datetime.combine(card.expires_on.gregorian + dt.timedelta(days=1), dt.time(), dt.UTC)
    kid, signer = certificates.document_signer(ctx)
    issuer = ctx.settings.credential_issuer
    code = claim169.encode(
        _attributes(person),
        serial=card.serial,
        issuer=issuer,
        issued_at=int(ctx.now().timestamp()),
        expires_at=int(expires.timestamp()),
        kid=kid,
        sign=signer.sign,
    )
    version = segno.make(code, error=QR_ERROR_CORRECTION, micro=False).version
    return IdentityCodeOut(code=code, serial=card.serial, issuer=issuer, expires_at=expires, qr_version=int(version))


def _attributes(person: PersonOut) -> dict[str, str | int]:
    full_name = f"{person.first_name} {person.last_name}"
    return {
        "id": person.national_code,
        "language": LANGUAGE,
        "full_name": full_name,  # first and last apart would not fit a long name in version 15
        "date_of_birth": claim169.date_of_birth(person.birth_date.gregorian),
        "gender": claim169.GENDERS[person.sex],
        "nationality": COUNTRY,
        "secondary_full_name": to_latin(full_name),
        "secondary_language": SECONDARY_LANGUAGE,
        "location_code": person.birth_county_code,
        "country_of_issuance": COUNTRY,
    }


def verify_identity_code(ctx: Context, *, code: str) -> IdentityVerifiedOut:
    """Check an identity QR online: signed by a key of the registry, issued by it, current, and its card
    still active (a card reported lost or revoked since is refused although its code verifies)."""
    keys = {key.kid: key.public for key in certificates.public_keys(ctx).keys}
    now = int(ctx.now().timestamp())
    try:
        identity = claim169.verify(code, keys, now=now, issuers=frozenset({ctx.settings.credential_issuer}))
    except claim169.Claim169Refused as refused:
        raise _refused(refused.reason, refused.detail) from None
    card = cards.status_of_serial(ctx, serial=identity.serial)
    if card.status != "active":
        raise _refused(card.status, "the card it stands for is not active")
    return IdentityVerifiedOut(
        attributes=identity.attributes,
        serial=identity.serial,
        issuer=identity.issuer,
        issued_at=dt.datetime.fromtimestamp(identity.issued_at, dt.UTC),
        expires_at=dt.datetime.fromtimestamp(identity.expires_at, dt.UTC),
    )


def _refused(reason: str, detail: str) -> SabtError:
    return REFUSALS[reason](field="code", reason=reason, detail=detail)
