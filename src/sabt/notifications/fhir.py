"""Notifications in FHIR R4: a facility's Bundle read into the JSON form of the same notification, and any
refusal answered as an OperationOutcome that names the element at fault.

The Bundle is validated with the `fhir.resources` models of R4B (FHIR 4.3, R4's technical correction: the
resources used here are the same in both). What Sabt reads from it (docs/integration.md has a whole
example of each):

- `Bundle.meta.tag` `urn:sabt:notification` | `birth` or `death`; `Bundle.identifier.value`: the
  facility's own reference for the notification (a notification sent twice is one);
- `Organization.identifier` `urn:sabt:partner`: the facility, which must be the caller;
- `Location.address.district`: the county code of the place of the event; `.city`: the place;
- a birth: the newborn `Patient` (`gender`, `birthDate` with the `patient-birthTime` extension,
  `multipleBirthInteger`; `deceasedBoolean` true for a child born dead), the mother as a `RelatedPerson`
  (relationship `MTH`) with her national code (`identifier` `urn:sabt:national-code`), the birth weight
  as an `Observation` (LOINC 8339-4, in g);
- a death: the deceased `Patient` with the national code and `deceasedDateTime`, and the medical
  certificate of cause of death as `Observation`s coded as the US vital-records profile (VRDR) codes them:
  LOINC 69453-9 a cause on part I (ICD-10 value; components: line number 1 to 4, LOINC 69440-6 the interval
  in UCUM min, h, d, mo or a), 69441-4 a condition of part II, 80358-5 the underlying cause, 69449-7 the
  manner (SNOMED CT or `urn:sabt:manner`), 69442-2 pregnancy (`urn:sabt:pregnancy`), 85699-7 autopsy
  (`urn:sabt:autopsy`).
"""

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ..core.errors import RequestInvalid, SabtError
from ..inputs import numbered_lists, validation_problem
from .errors import FhirInvalid, FhirNotANotification
from .schemas import BirthNotificationIn, DeathNotificationIn, NotificationIn

TAG = "urn:sabt:notification"
NATIONAL_CODE = "urn:sabt:national-code"
FACILITY = "urn:sabt:partner"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
BIRTH_TIME = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
LINE_NUMBER = "lineNumber"
BIRTH_WEIGHT = "8339-4"
CAUSE_LINE, CONTRIBUTING, UNDERLYING, INTERVAL = "69453-9", "69441-4", "80358-5", "69440-6"
MANNER, PREGNANCY, AUTOPSY = "69449-7", "69442-2", "85699-7"
UCUM_UNITS = {"min": "minutes", "h": "hours", "d": "days", "mo": "months", "a": "years"}
SNOMED_MANNERS = {
    "38605008": "disease",
    "7878000": "accident",
    "44301001": "self_harm",
    "27935005": "assault",
    "185973002": "pending",
    "65037004": "undetermined",
}
MEDIA_TYPE = "application/fhir+json"


@dataclass
class Read:
    """The JSON form being filled in, and for each of its fields the FHIR element it came from."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, source: str) -> None:
        node = self.data
        *parents, last = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
        self.sources[name] = source

    def source_of(self, name: str | None) -> str:
        """The element a refused field came from: the field's own, else its nearest parent's."""
        while name:
            if name in self.sources:
                return self.sources[name]
            name = name.rpartition(".")[0]
        return "Bundle"


class FhirRefusal(Exception):
    """A refusal with the FHIR element it is about, to be answered as an OperationOutcome."""

    def __init__(self, error: SabtError, expression: str) -> None:
        super().__init__(error.message_en)
        self.error = error
        self.expression = expression


def notification_from(body: Any, zone: ZoneInfo) -> tuple[NotificationIn, Read]:
    """The notification a Bundle carries, in the JSON form, and where each of its fields came from. Days and
    times are read on the registry's clock (`zone`), whatever offset the facility sent them in."""
    bundle = _bundle(body)
    kind = _kind(bundle)
    read = Read(zone=zone)
    reference = bundle.identifier.value if bundle.identifier is not None else None
    if not reference:
        raise FhirRefusal(FhirNotANotification(detail="no Bundle.identifier.value"), "Bundle.identifier")
    read.put("reference", reference, "Bundle.identifier.value")
    resources = [(f"Bundle.entry[{i}].resource", entry.resource) for i, entry in enumerate(bundle.entry or [])]
    for path, resource in resources:
        if resource is None:
            continue
        reader = _READERS.get((kind, resource.get_resource_type()))
        if reader is not None:
            reader(resource, path, read)
    lines = read.data.get("cause_of_death", {}).get("part1", {})
    if sorted(lines) != [str(i) for i in range(len(lines))]:
        # A line's place in the chain is what it says: lines a to d with none left out.
        detail = "part I has a line missing above another"
        raise FhirRefusal(RequestInvalid(field="cause_of_death.part1", detail=detail), "Bundle.entry")
    schema = BirthNotificationIn if kind == "birth" else DeathNotificationIn
    try:
        return schema.model_validate(numbered_lists(read.data)), read
    except ValidationError as error:
        problem = validation_problem(error.errors()[0])
        raise FhirRefusal(problem, read.source_of(problem.field)) from None


def refusal_at(error: SabtError, read: Read) -> FhirRefusal:
    """A refusal of the JSON form (by the registry's checks) at the FHIR element its field came from."""
    return FhirRefusal(error, read.source_of(error.field))


def outcome(refusal: FhirRefusal) -> dict[str, Any]:
    """An OperationOutcome for a refusal: the stable code, the message in English and Persian, the element."""
    error = refusal.error
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": _ISSUE_TYPES.get(error.status, "invalid"),
                "details": {"coding": [{"system": "urn:sabt:problem", "code": error.code}], "text": error.message_en},
                "diagnostics": error.message_fa,
                "expression": [refusal.expression],
            }
        ],
    }


def accepted(notification_id: int, *, replayed: bool) -> dict[str, Any]:
    said = "already received" if replayed else "received"
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "information",
                "code": "informational",
                "details": {"text": f"Notification {notification_id} {said}."},
                "diagnostics": f"/api/notifications/{notification_id}",
            }
        ],
    }


_ISSUE_TYPES = {
    400: "structure",
    401: "security",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    429: "throttled",
}


def _bundle(body: Any) -> Any:
    # The models are read on the first Bundle: importing them takes 0.16 s, which every server process
    # would pay at start-up whether a facility ever sends one or not.
    from fhir.resources.R4B.bundle import Bundle

    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise FhirRefusal(FhirNotANotification(detail="not a FHIR Bundle"), "Bundle")
    try:
        return Bundle.model_validate(body)
    except ValidationError as error:
        item = error.errors()[0]
        where = _expression(item.get("loc", ()))
        raise FhirRefusal(FhirInvalid(detail=f"{where}: {item.get('msg', 'invalid')}"[:300]), where) from None
    except (KeyError, TypeError, ValueError) as error:
        # The library raises KeyError for a resourceType it does not know, and TypeError or ValueError for
        # some shapes it cannot read: all are a body that is not FHIR R4.
        raise FhirRefusal(FhirInvalid(detail=f"unreadable ({type(error).__name__})"), "Bundle") from None


def _expression(location: tuple[Any, ...]) -> str:
    """pydantic's location as a FHIRPath-like expression: ("entry", 0, "resource", "birthDate") →
    Bundle.entry[0].resource.birthDate."""
    text = "Bundle"
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _kind(bundle: Any) -> str:
    tags = [tag for tag in (bundle.meta.tag if bundle.meta and bundle.meta.tag else []) if tag.system == TAG]
    if len(tags) != 1 or tags[0].code not in ("birth", "death"):
        detail = f"no Bundle.meta.tag {TAG} of birth or death"
        raise FhirRefusal(FhirNotANotification(detail=detail), "Bundle.meta.tag")
    return str(tags[0].code)


# --- resources -----------------------------------------------------------------------------------------------


def _organization(resource: Any, path: str, read: Read) -> None:
    for i, identifier in enumerate(resource.identifier or []):
        if identifier.system == FACILITY:
            read.put("facility", identifier.value, f"{path}.identifier[{i}].value")


def _location(resource: Any, path: str, read: Read) -> None:
    address = resource.address
    if address is None:
        return
    if address.district:
        read.put("county", address.district, f"{path}.address.district")
    if address.city:
        read.put("place", address.city, f"{path}.address.city")


def _newborn(resource: Any, path: str, read: Read) -> None:
    if resource.gender is not None:
        read.put("sex", resource.gender, f"{path}.gender")
    born = resource.birthDate
    if born is not None:
        read.put("birth_date", born.isoformat() if isinstance(born, dt.date) else str(born), f"{path}.birthDate")
    for extension in (resource.birthDate__ext.extension or []) if resource.birthDate__ext else []:
        if extension.url == BIRTH_TIME and extension.valueDateTime is not None:
            moment = _moment(extension.valueDateTime, read, f"{path}._birthDate.extension")
            read.put("birth_time", moment.strftime("%H:%M"), f"{path}._birthDate.extension")
    if resource.multipleBirthInteger is not None:
        read.put("birth_order", resource.multipleBirthInteger, f"{path}.multipleBirthInteger")
    if resource.deceasedBoolean is True or resource.deceasedDateTime is not None:
        read.put("stillborn", True, f"{path}.deceasedBoolean")


def _mother(resource: Any, path: str, read: Read) -> None:
    codes = [coding.code for concept in resource.relationship or [] for coding in _codings(concept)]
    if "MTH" not in codes and "NMTH" not in codes:
        return
    read.sources["mother"] = f"{path}"
    for i, identifier in enumerate(resource.identifier or []):
        if identifier.system == NATIONAL_CODE:
            read.put("mother.national_code", identifier.value, f"{path}.identifier[{i}].value")


def _deceased(resource: Any, path: str, read: Read) -> None:
    for i, identifier in enumerate(resource.identifier or []):
        if identifier.system == NATIONAL_CODE:
            read.put("national_code", identifier.value, f"{path}.identifier[{i}].value")
    died = resource.deceasedDateTime
    if isinstance(died, dt.datetime):
        moment = _moment(died, read, f"{path}.deceasedDateTime")
        read.put("death_date", moment.date().isoformat(), f"{path}.deceasedDateTime")
        read.put("death_time", moment.strftime("%H:%M"), f"{path}.deceasedDateTime")
    elif isinstance(died, dt.date):
        read.put("death_date", died.isoformat(), f"{path}.deceasedDateTime")
    elif died is not None:
        raise _not_read(f"{path}.deceasedDateTime", "a day of death, with its time if known")


def _birth_observation(resource: Any, path: str, read: Read) -> None:
    quantity = resource.valueQuantity
    if _loinc(resource) == BIRTH_WEIGHT and quantity is not None and quantity.value is not None:
        weight = _bounded(quantity.value, f"{path}.valueQuantity.value")
        grams = weight * (1000 if quantity.code == "kg" or quantity.unit == "kg" else 1)
        read.put("weight_grams", round(grams), f"{path}.valueQuantity")


def _death_observation(resource: Any, path: str, read: Read) -> None:
    code = _loinc(resource)
    if code == CAUSE_LINE:
        numbered = _component_integer(resource, LINE_NUMBER)
        line = 1 if numbered is None else numbered
        taken = read.data.get("cause_of_death", {}).get("part1", {})
        if line not in range(1, 5) or str(line - 1) in taken:
            detail = f"line {line} of part I: lines are numbered 1 to 4, each once"
            raise FhirRefusal(RequestInvalid(field="cause_of_death.part1", detail=detail), f"{path}.component")
        prefix = f"cause_of_death.part1.{line - 1}"
        _condition(resource, path, read, prefix)
        interval = _interval(resource, f"{path}.component")
        if interval is not None:
            read.put(f"{prefix}.interval", interval, f"{path}.component")
    elif code == CONTRIBUTING:
        index = len(read.data.get("cause_of_death", {}).get("part2", {}))
        _condition(resource, path, read, f"cause_of_death.part2.{index}")
    elif code == UNDERLYING:
        read.put("cause_of_death.underlying", _icd10(resource), f"{path}.valueCodeableConcept")
    elif code == MANNER:
        read.put("cause_of_death.manner", _manner(resource), f"{path}.valueCodeableConcept")
    elif code == PREGNANCY:
        read.put("cause_of_death.pregnancy", _own_code(resource, "urn:sabt:pregnancy"), f"{path}.valueCodeableConcept")
    elif code == AUTOPSY:
        read.put("cause_of_death.autopsy", _own_code(resource, "urn:sabt:autopsy"), f"{path}.valueCodeableConcept")


def _condition(resource: Any, path: str, read: Read, prefix: str) -> None:
    concept = resource.valueCodeableConcept
    text = (concept.text if concept is not None else None) or ""
    read.put(f"{prefix}.condition", text, f"{path}.valueCodeableConcept.text")
    read.put(f"{prefix}.icd10", _icd10(resource), f"{path}.valueCodeableConcept.coding")


def _icd10(resource: Any) -> str:
    concept = resource.valueCodeableConcept
    return next((str(c.code) for c in _codings(concept) if c.system == ICD10 and c.code), "")


def _manner(resource: Any) -> str:
    concept = resource.valueCodeableConcept
    for coding in _codings(concept):
        if coding.system == SNOMED and coding.code in SNOMED_MANNERS:
            return SNOMED_MANNERS[coding.code]
        if coding.system == "urn:sabt:manner" and coding.code:
            return str(coding.code)
    return ""


def _own_code(resource: Any, system: str) -> str:
    concept = resource.valueCodeableConcept
    return next((str(coding.code) for coding in _codings(concept) if coding.system == system and coding.code), "")


def _loinc(resource: Any) -> str | None:
    return next((str(coding.code) for coding in _codings(resource.code) if coding.system == LOINC), None)


def _component_integer(resource: Any, code: str) -> int | None:
    for component in resource.component or []:
        if any(coding.code == code for coding in _codings(component.code)):
            return int(component.valueInteger) if component.valueInteger is not None else None
    return None


def _interval(resource: Any, path: str) -> dict[str, Any] | None:
    for component in resource.component or []:
        if any(coding.system == LOINC and coding.code == INTERVAL for coding in _codings(component.code)):
            quantity = component.valueQuantity
            if quantity is None or quantity.value is None:
                return None
            amount = _bounded(quantity.value, f"{path}.valueQuantity.value")
            if amount != int(amount):
                raise _not_read(f"{path}.valueQuantity.value", "a whole number of the interval's unit")
            unit = UCUM_UNITS.get(str(quantity.code), str(quantity.code))
            return {"amount": int(amount), "unit": unit}
    return None


# Larger than any weight in grams or interval a certificate states; a decimal is checked against it before
# it is converted (a value like 1e1000000 takes minutes to become an integer).
LARGEST_VALUE = 10**6


def _bounded(value: Any, path: str) -> float:
    number = decimal.Decimal(str(value))
    # By the exponent: comparing 1E+1000000 itself overflows the decimal context.
    if not number.is_finite() or (number != 0 and number.adjusted() >= len(str(LARGEST_VALUE)) - 1):
        raise _not_read(path, f"a number below {LARGEST_VALUE:,}")
    return float(number)


def _moment(value: Any, read: Read, path: str) -> dt.datetime:
    """A moment as the registry's clock reads it; one sent without an offset is taken as on that clock."""
    if not isinstance(value, dt.datetime):
        raise _not_read(path, "a full date and time")
    return value.astimezone(read.zone) if value.tzinfo is not None else value.replace(tzinfo=read.zone)


def _not_read(path: str, wanted: str) -> FhirRefusal:
    return FhirRefusal(FhirInvalid(detail=f"{path}: not {wanted}"), path)


def _codings(concept: Any) -> list[Any]:
    """A CodeableConcept's codings; none for a concept left out (the models do not insist on one)."""
    return list(concept.coding or []) if concept is not None else []


_READERS = {
    ("birth", "Organization"): _organization,
    ("birth", "Location"): _location,
    ("birth", "Patient"): _newborn,
    ("birth", "RelatedPerson"): _mother,
    ("birth", "Observation"): _birth_observation,
    ("death", "Organization"): _organization,
    ("death", "Location"): _location,
    ("death", "Patient"): _deceased,
    ("death", "Observation"): _death_observation,
}
