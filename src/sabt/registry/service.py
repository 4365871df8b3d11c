"""The registry's face: the use cases and the reads other features call. Its sub-packages are its own.

- `events`: declare, re-submit, validate, register, reject and approve late; the checks a declaration meets
  and what registering it changes; the counts the statistics read.
- `persons`: a person's record, search, history and the revision every change adds; what duplicate
  detection reads and the merge of a duplicate.
- `corrections`: correcting a record, and the offices that hold it.
- `national_codes`: handing out codes, never the same one twice.
- `imports`: the bulk import of a legacy register.

Inside the registry they sit in layers (the import contracts check it): corrections, events and imports
above persons, above national codes.
"""

from .corrections.service import correct_person as correct_person
from .corrections.service import may_act_on as may_act_on
from .corrections.service import offices_holding as offices_holding
from .events.checks import PENDING as PENDING
from .events.counts import birth_counts as birth_counts
from .events.counts import births_in_counties as births_in_counties
from .events.counts import cause_counts as cause_counts
from .events.counts import counties_served as counties_served
from .events.counts import couple_counts as couple_counts
from .events.counts import death_counts as death_counts
from .events.counts import delay_counts as delay_counts
from .events.counts import office_delays as office_delays
from .events.counts import office_pending as office_pending
from .events.counts import office_registrations as office_registrations
from .events.counts import office_steps as office_steps
from .events.counts import registered_at as registered_at
from .events.for_linkage import declared_birth as declared_birth
from .events.for_linkage import declared_birth_briefs as declared_birth_briefs
from .events.for_linkage import late_births as late_births
from .events.for_linkage import pending_births_near as pending_births_near
from .events.service import SCHEMA_OF as SCHEMA_OF
from .events.service import DeclarationPreview as DeclarationPreview
from .events.service import approve_late as approve_late
from .events.service import assign_event as assign_event
from .events.service import cause_of_death as cause_of_death
from .events.service import check_notification as check_notification
from .events.service import declaration_of as declaration_of
from .events.service import declare as declare
from .events.service import event_history as event_history
from .events.service import event_out as event_out
from .events.service import get_event as get_event
from .events.service import list_events as list_events
from .events.service import notified_event as notified_event
from .events.service import preview_declaration as preview_declaration
from .events.service import queue_counts as queue_counts
from .events.service import register_event as register_event
from .events.service import registered_births_since as registered_births_since
from .events.service import registered_death as registered_death
from .events.service import registered_event as registered_event
from .events.service import reject_event as reject_event
from .events.service import release_event as release_event
from .events.service import resubmit as resubmit
from .events.service import seen_by as seen_by
from .events.service import validate_event as validate_event
from .imports.service import csv_records as csv_records
from .imports.service import import_persons as import_persons
from .imports.service import read_rows as read_rows
from .national_codes.service import next_national_code as next_national_code
from .persons.for_linkage import births_after_mothers_death as births_after_mothers_death
from .persons.for_linkage import births_by_mother as births_by_mother
from .persons.for_linkage import candidates_for_birth as candidates_for_birth
from .persons.for_linkage import living_born_before as living_born_before
from .persons.for_linkage import merge_person as merge_person
from .persons.for_linkage import name_frequencies as name_frequencies
from .persons.for_linkage import person_briefs as person_briefs
from .persons.for_linkage import persons_for_linkage as persons_for_linkage
from .persons.rules import Rules as Rules
from .persons.service import IDENTITY_FACTS as IDENTITY_FACTS
from .persons.service import count_living_on_days as count_living_on_days
from .persons.service import get_person as get_person
from .persons.service import identity_facts_in as identity_facts_in
from .persons.service import living_born_by as living_born_by
from .persons.service import own_record as own_record
from .persons.service import person_basics as person_basics
from .persons.service import person_history as person_history
from .persons.service import person_record as person_record
from .persons.service import search_persons as search_persons
