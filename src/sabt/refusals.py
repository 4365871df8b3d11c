"""The catalogue of refusals: every feature's `errors` module, so that every refusal class is defined (the
OpenAPI document lists their codes, and a test walks them)."""

from .access import errors as access_errors
from .accounts import errors as accounts_errors
from .cards import errors as cards_errors
from .certificates import errors as certificates_errors
from .core.errors import SabtError
from .geo import errors as geo_errors
from .ledger import errors as ledger_errors
from .linkage import errors as linkage_errors
from .registry import errors as registry_errors
from .stats import errors as stats_errors
from .synth import errors as synth_errors
from .verification import errors as verification_errors

FEATURES = (
    access_errors,
    accounts_errors,
    cards_errors,
    certificates_errors,
    geo_errors,
    ledger_errors,
    linkage_errors,
    registry_errors,
    stats_errors,
    synth_errors,
    verification_errors,
)


def every_refusal() -> dict[str, type[SabtError]]:
    """Every refusal class by its code."""
    return dict(sorted(SabtError.catalogue.items()))
