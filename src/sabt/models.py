"""Every feature's tables, gathered so that migrations see the whole schema."""

from .access import models as access_models
from .accounts import models as accounts_models
from .cards import models as cards_models
from .certificates import models as certificates_models
from .db import Base
from .geo import models as geo_models
from .ledger import models as ledger_models
from .linkage import models as linkage_models
from .notifications import models as notifications_models
from .outbox import models as outbox_models
from .registry.events import models as events_models
from .registry.imports import models as imports_models
from .registry.national_codes import models as national_codes_models
from .registry.persons import models as persons_models
from .verification import models as verification_models

metadata = Base.metadata
FEATURE_MODELS = (
    geo_models,
    accounts_models,
    persons_models,
    events_models,
    national_codes_models,
    imports_models,
    ledger_models,
    certificates_models,
    verification_models,
    linkage_models,
    outbox_models,
    cards_models,
    access_models,
    notifications_models,
)
