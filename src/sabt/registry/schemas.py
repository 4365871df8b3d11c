"""The registry's data types, as other features and its own routes and commands see them.

Dates are text: Jalali (۱۴۰۳/۰۵/۱۲) or Gregorian (2024-08-02); national codes accept Persian and
Arabic-Indic digits. Business rules are checked in the use cases, which name the field at fault.
"""

from .corrections.schemas import CorrectedPersonOut as CorrectedPersonOut
from .corrections.schemas import PersonCorrection as PersonCorrection
from .corrections.schemas import ReissueOut as ReissueOut
from .events.schemas import BirthDeclaration as BirthDeclaration
from .events.schemas import BirthFacts as BirthFacts
from .events.schemas import CauseLine as CauseLine
from .events.schemas import CauseOfDeath as CauseOfDeath
from .events.schemas import CauseOfDeathOut as CauseOfDeathOut
from .events.schemas import DeathDeclaration as DeathDeclaration
from .events.schemas import Declarant as Declarant
from .events.schemas import Declaration as Declaration
from .events.schemas import DeclaredBirthOut as DeclaredBirthOut
from .events.schemas import DivorceDeclaration as DivorceDeclaration
from .events.schemas import EventOut as EventOut
from .events.schemas import EventStepOut as EventStepOut
from .events.schemas import Evidence as Evidence
from .events.schemas import Interval as Interval
from .events.schemas import MarriageDeclaration as MarriageDeclaration
from .events.schemas import Note as Note
from .events.schemas import NoteIn as NoteIn
from .events.schemas import NotifiedBirth as NotifiedBirth
from .events.schemas import NotifiedDeath as NotifiedDeath
from .events.schemas import NotifiedMother as NotifiedMother
from .events.schemas import PersonRef as PersonRef
from .events.schemas import QueueCounts as QueueCounts
from .events.schemas import ReasonIn as ReasonIn
from .events.schemas import Reference as Reference
from .persons.schemas import ChildOut as ChildOut
from .persons.schemas import Code as Code
from .persons.schemas import DatePair as DatePair
from .persons.schemas import DateText as DateText
from .persons.schemas import IdentityFacts as IdentityFacts
from .persons.schemas import MarriageOut as MarriageOut
from .persons.schemas import Name as Name
from .persons.schemas import ParentOut as ParentOut
from .persons.schemas import PersonBasics as PersonBasics
from .persons.schemas import PersonBrief as PersonBrief
from .persons.schemas import PersonOut as PersonOut
from .persons.schemas import PersonRevisionOut as PersonRevisionOut
from .persons.schemas import PersonSummary as PersonSummary
from .persons.schemas import Sex as Sex
from .persons.schemas import TimeText as TimeText
