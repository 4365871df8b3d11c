"""Use cases of duplicate and fraud detection: estimate and evaluate the model, run it and the rules over
the registry, check a declared birth before it is registered, and decide the cases in the review queue."""

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access.service import record_reads
from ..accounts.service import usernames
from ..certificates import service as certificates
from ..context import Context
from ..core.errors import NoSuchAddress
from ..core.linkage import ordered, score_pairs
from ..core.permissions import Action, Actor, authorize
from ..registry import service as registry
from ..registry.schemas import BirthFacts, DeclaredBirthOut, PersonBrief
from .errors import (
    LinkageDecided,
    LinkageKeep,
    LinkageMerged,
    LinkageNoCase,
    LinkageNotAPair,
    LinkageNotBirth,
    LinkageRunning,
    LinkageTooFewPairs,
)
from .labelled import read_labelled
from .model import default_model
from .models import LinkageCase, LinkageModel, LinkageRun
from .records import as_table, linkage_record, registry_record, registry_records
from .rules import CHECKS_PLACES, CHECKS_WINDOW, Finding, certificate_findings, run_rules
from .schemas import CandidateOut, CaseOut, CasesPage, EvaluationOut, KindOut, ModelOut, RunOut
from .scoring import ScoredPair, estimate, score_against, score_all

MIN_TRUE_PAIRS = 50
CERTIFICATE_LOOKBACK = dt.timedelta(days=7)
log = logging.getLogger("sabt.linkage")


# --- the model ----------------------------------------------------------------------------------------------


def current_model(session: Session) -> tuple[dict[str, Any], ModelOut]:
    """The newest trained model, or the one Sabt ships with."""
    stored = session.scalar(select(LinkageModel).order_by(LinkageModel.id.desc()).limit(1))
    if stored is None:
        return default_model(), ModelOut(id=None, trained_on="shipped with Sabt", true_pairs=0, trained_at=None)
    return stored.settings, ModelOut(
        id=stored.id, trained_on=stored.trained_on, true_pairs=stored.true_pairs, trained_at=stored.trained_at
    )


def model_in_use(ctx: Context, *, actor: Actor) -> ModelOut:
    authorize(actor, Action.RUN_LINKAGE)  # investigators may run it too
    with ctx.db.snapshot() as session:
        return current_model(session)[1]


def train(ctx: Context, *, actor: Actor, legacy: Path, truth: Path, out: Path | None = None) -> ModelOut:
    """Estimate a model from a labelled legacy file and make it the one in use (and write it to `out`)."""
    authorize(actor, Action.RUN_LINKAGE)
    labelled = read_labelled(legacy, truth)
    if len(labelled.true_pairs) < MIN_TRUE_PAIRS:
        raise LinkageTooFewPairs(field="truth", needed=MIN_TRUE_PAIRS, pairs=len(labelled.true_pairs))
    model = estimate(labelled.records, labelled.person, labelled.true_pairs)
    if out is not None:
        out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with ctx.db.transaction() as session:
        stored = LinkageModel(
            settings=model,
            trained_on=legacy.name[:255],
            true_pairs=len(labelled.true_pairs),
            trained_by=actor.user_id,
            trained_at=ctx.now(),
        )
        session.add(stored)
        session.flush()
        return ModelOut(
            id=stored.id, trained_on=stored.trained_on, true_pairs=stored.true_pairs, trained_at=stored.trained_at
        )


def evaluate(ctx: Context, *, actor: Actor, legacy: Path, truth: Path, threshold: float | None = None) -> EvaluationOut:
    """Precision, recall and F1 of the model in use on a labelled file, pair by pair."""
    authorize(actor, Action.RUN_LINKAGE)
    labelled = read_labelled(legacy, truth)
    with ctx.db.snapshot() as session:
        model, _ = current_model(session)
    cut = threshold if threshold is not None else ctx.settings.linkage_threshold
    started = time.perf_counter()
    found = [(pair.left, pair.right) for pair in score_all(labelled.records, model, threshold=cut)]
    scores = score_pairs(found, labelled.true_pairs)
    joined = {ordered(left, right) for left, right in found}
    kinds: dict[tuple[str, bool], list[int]] = {}
    for marked in labelled.marked:
        counts = kinds.setdefault((marked.kind, marked.same_person), [0, 0])
        counts[0] += 1
        counts[1] += marked.pair in joined
    return EvaluationOut(
        records=labelled.records.num_rows,
        true_pairs=scores.true_pairs,
        found_pairs=scores.found_pairs,
        correct_pairs=scores.correct_pairs,
        precision=round(scores.precision, 4),
        recall=round(scores.recall, 4),
        f1=round(scores.f1, 4),
        threshold=cut,
        seconds=round(time.perf_counter() - started, 2),
        kinds=[
            KindOut(kind=kind, same_person=same, pairs=pairs, joined=joined_pairs)
            for (kind, same), (pairs, joined_pairs) in sorted(
                kinds.items(), key=lambda item: (not item[0][1], item[0][0])
            )
        ],
    )


# --- runs over the whole registry ---------------------------------------------------------------------------


def start_run(ctx: Context, *, actor: Actor) -> RunOut:
    """Record a run as started; `execute_run` does the work (at once from the command line, in the
    background from the API)."""
    authorize(actor, Action.RUN_LINKAGE)
    with ctx.db.transaction() as session:
        running = session.scalar(select(LinkageRun).where(LinkageRun.status == "running").limit(1))
        if running is not None:
            raise LinkageRunning(field="run", run=running.id)
        run = LinkageRun(status="running", started_by=actor.user_id, started_at=ctx.now())
        session.add(run)
        session.flush()
        return _run_out(run)


def execute_run(ctx: Context, *, run_id: int) -> RunOut:
    """Score every blocked pair of the registry and apply the rules; new findings go to the review queue
    (a finding already there, decided or not, is left as it is)."""
    started = time.perf_counter()
    try:
        with ctx.db.snapshot() as session:  # one consistent view of the registry for the model and the rules
            model, _ = current_model(session)
            connection = session.connection()
            table = as_table(registry_records(connection))
            findings = list(run_rules(connection, today=ctx.today()))
        since = ctx.now() - CERTIFICATE_LOOKBACK
        findings += certificate_findings(
            certificates.serials_checked_from_many_places(ctx, since=since, places=CHECKS_PLACES, window=CHECKS_WINDOW)
        )
        pairs = list(score_all(table, model, threshold=ctx.settings.linkage_threshold))
        with ctx.db.transaction() as session:
            new = _add_cases(
                session, [*map(_duplicate_finding, pairs), *findings], source="run", run_id=run_id, now=ctx.now()
            )
            run = _get_run(session, run_id)
            run.status, run.persons, run.pairs_scored = "finished", table.num_rows, len(pairs)
            run.cases_found, run.cases_new = len(pairs) + len(findings), new
            run.seconds, run.finished_at = round(time.perf_counter() - started, 2), ctx.now()
            return _run_out(run)
    except Exception as error:
        with ctx.db.transaction() as session:
            run = _get_run(session, run_id)
            run.status, run.error, run.finished_at = "failed", f"{type(error).__name__}: {error}"[:500], ctx.now()
        raise


def run_in_background(ctx: Context, *, actor: Actor) -> RunOut:
    """Start a run and return at once; the run's row says when it finished (for the API and the pages)."""
    run = start_run(ctx, actor=actor)
    threading.Thread(target=_execute_quietly, args=(ctx, run.id), name=f"linkage-run-{run.id}", daemon=True).start()
    return run


def _execute_quietly(ctx: Context, run_id: int) -> None:
    try:
        execute_run(ctx, run_id=run_id)
    except Exception:  # recorded on the run as failed; nobody is waiting for this thread
        log.exception("linkage run %s failed", run_id)


def run_linkage(ctx: Context, *, actor: Actor) -> RunOut:
    return execute_run(ctx, run_id=start_run(ctx, actor=actor).id)


def list_runs(ctx: Context, *, actor: Actor, limit: int = 20) -> list[RunOut]:
    authorize(actor, Action.RUN_LINKAGE)
    with ctx.db.snapshot() as session:
        runs = session.scalars(select(LinkageRun).order_by(LinkageRun.id.desc()).limit(limit))
        return [_run_out(run) for run in runs]


def get_run(ctx: Context, *, actor: Actor, run_id: int) -> RunOut:
    authorize(actor, Action.RUN_LINKAGE)
    with ctx.db.snapshot() as session:
        return _run_out(_get_run(session, run_id))


def _get_run(session: Session, run_id: int) -> LinkageRun:
    run = session.get(LinkageRun, run_id)
    if run is None:
        raise NoSuchAddress(field="run")
    return run


def _run_out(run: LinkageRun) -> RunOut:
    return RunOut(
        id=run.id,
        status=run.status,
        persons=run.persons,
        pairs_scored=run.pairs_scored,
        cases_found=run.cases_found,
        cases_new=run.cases_new,
        seconds=run.seconds,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def _duplicate_finding(pair: ScoredPair) -> Finding:
    left, right = sorted((pair.left, pair.right))
    return Finding(
        "duplicate",
        f"duplicate:{left}:{right}",
        left,
        right,
        evidence={"fields": pair.evidence} | ({"possible_twin": True} if pair.possible_twin else {}),
        match_weight=pair.match_weight,
        match_probability=pair.match_probability,
    )


def _add_cases(
    session: Session, findings: Iterable[Finding], *, source: str, run_id: int | None, now: dt.datetime
) -> int:
    """Put the findings not yet in the queue into it; returns how many were new."""
    findings = list(findings)
    known: set[str] = set()
    keys = [finding.key for finding in findings]
    for start in range(0, len(keys), 5000):
        known.update(session.scalars(select(LinkageCase.key).where(LinkageCase.key.in_(keys[start : start + 5000]))))
    new = 0
    for finding in findings:
        if finding.key in known:
            continue
        known.add(finding.key)
        session.add(
            LinkageCase(
                key=finding.key,
                kind=finding.kind,
                person_id=finding.person_id,
                other_person_id=finding.other_person_id,
                event_id=finding.event_id,
                match_weight=finding.match_weight,
                match_probability=finding.match_probability,
                evidence=finding.evidence,
                source=source,
                run_id=run_id,
                status="open",
                note="",
                found_at=now,
            )
        )
        new += 1
    return new


# --- the check before a birth is registered --------------------------------------------------------------------


def check_birth(ctx: Context, *, actor: Actor, event_id: int) -> list[CandidateOut]:
    """Persons, and births declared but not yet registered, that a declared birth may duplicate, best first,
    with the evidence: for the registrar to see before validating and registering it."""
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        birth = registry.declared_birth(session, event_id)
        if birth is None:
            raise LinkageNotBirth(field="event_id")
        authorize(actor, Action.READ_OFFICE_WORK, office_id=birth.office_id)
        model, in_use = current_model(session)
        record = _birth_record(birth, unique_id=0)
        parents = [pid for pid in (birth.father_id, birth.mother_id) if pid is not None]
        rows = registry.candidates_for_birth(
            session,
            first_name=birth.first_name,
            last_name=birth.last_name,
            born=birth.born,
            county=birth.county,
            mother_first_name=birth.mother_first_name,
            parent_ids=parents,
        )
        persons = [registry_record(row) for row in rows if row[0] != birth.subject_id]
        pending = registry.pending_births_near(session, born=birth.born, excluding=event_id)
        declarations = [_birth_record(other, unique_id=other.event_id) for other in pending]
        _with_frequencies(session, record, [*persons, *declarations])

        def score(candidates: list[dict[str, Any]]) -> list[ScoredPair]:
            threshold = ctx.settings.linkage_threshold
            return score_against(record, candidates, model, model_key=_model_key(in_use), threshold=threshold)

        scored_persons, scored_declarations = score(persons), score(declarations)
        briefs = registry.person_briefs(session, [pair.right for pair in scored_persons])
        declared = registry.declared_birth_briefs(session, [pair.right for pair in scored_declarations])
        found = [_candidate(pair, person=briefs[pair.right]) for pair in scored_persons]
        found += [_candidate(pair, declaration=declared[pair.right]) for pair in scored_declarations]
    found.sort(key=lambda candidate: -candidate.match_weight)
    record_reads(ctx, actor, [candidate.person.national_code for candidate in found if candidate.person], "linkage")
    return found


def _birth_record(birth: BirthFacts, *, unique_id: int) -> dict[str, Any]:
    return linkage_record(
        unique_id,
        first_name=birth.first_name,
        last_name=birth.last_name,
        sex=birth.sex,
        born=birth.born,
        birth_county=birth.county,
        father_first_name=birth.father_first_name,
        mother_first_name=birth.mother_first_name,
        mother_last_name=birth.mother_last_name,
        father_code=birth.father_code,
        mother_code=birth.mother_code,
    )


def _candidate(
    pair: ScoredPair, *, person: PersonBrief | None = None, declaration: DeclaredBirthOut | None = None
) -> CandidateOut:
    return CandidateOut(
        person=person,
        declaration=declaration,
        match_weight=round(pair.match_weight, 2),
        match_probability=round(pair.match_probability, 4),
        evidence=pair.evidence,
        possible_twin=pair.possible_twin,
    )


def _model_key(model: ModelOut) -> str:
    """Names one model for the scoring's SQL cache: a trained one by its row and time, else the shipped one."""
    return f"{model.id}-{model.trained_at:%Y%m%d%H%M%S%f}" if model.id and model.trained_at else "shipped"


def _with_frequencies(session: Session, record: dict[str, Any], candidates: list[dict[str, Any]]) -> None:
    """Term frequencies of each record's names in the registry, as the model's adjustment needs them."""
    records = [record, *candidates]
    first, last = registry.name_frequencies(
        session,
        first_names={each["first_name"] or "" for each in records},
        last_names={each["last_name"] or "" for each in records},
    )
    for each in records:
        each["tf_first_name"], each["tf_last_name"] = first[each["first_name"] or ""], last[each["last_name"] or ""]


# --- the review queue ---------------------------------------------------------------------------------------


def list_cases(
    ctx: Context,
    *,
    actor: Actor,
    status: str | None = "open",
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> CasesPage:
    authorize(actor, Action.INVESTIGATE)
    query = select(LinkageCase)
    if status:
        query = query.where(LinkageCase.status == status)
    if kind:
        query = query.where(LinkageCase.kind == kind)
    with ctx.db.snapshot() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = (LinkageCase.match_weight.desc().nulls_last(), LinkageCase.id)
        cases = list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))
        listed = CasesPage(total=total, cases=_cases_out(session, cases))
    record_reads(ctx, actor, _persons_in(listed.cases), "linkage")
    return listed


def get_case(ctx: Context, *, actor: Actor, case_id: int) -> CaseOut:
    authorize(actor, Action.INVESTIGATE)
    with ctx.db.snapshot() as session:
        case = _cases_out(session, [_case(session, case_id)])[0]
    record_reads(ctx, actor, _persons_in([case]), "linkage")
    return case


def _persons_in(cases: list[CaseOut]) -> list[str]:
    return [person.national_code for case in cases for person in (case.person, case.other_person) if person]


def decide(
    ctx: Context, *, actor: Actor, case_id: int, decision: str, note: str = "", keep: int | None = None
) -> CaseOut:
    """Close a case as a duplicate (merging the pair into the record that stays), not a duplicate, or fraud;
    the decision is a ledger leaf."""
    authorize(actor, Action.INVESTIGATE)
    now = ctx.now()
    with ctx.db.transaction() as session:
        case = _case(session, case_id, lock=True)
        if case.status != "open":
            raise LinkageDecided(field="case", case=case_id, status=case.status)
        if decision == "duplicate":
            _merge(session, case, keep, actor, now, note)
        case.status, case.note, case.decided_by, case.decided_at = decision, note, actor.user_id, now
        session.flush()
        return _cases_out(session, [case])[0]


def _merge(session: Session, case: LinkageCase, keep: int | None, actor: Actor, now: dt.datetime, note: str) -> None:
    if case.kind != "duplicate" or case.person_id is None or case.other_person_id is None:
        raise LinkageNotAPair(field="decision")
    pair = {case.person_id, case.other_person_id}
    kept_id = keep if keep is not None else min(pair)  # the older record stays unless told otherwise
    if kept_id not in pair:
        raise LinkageKeep(field="keep")
    persons = registry.person_briefs(session, list(pair))
    kept, retired = persons[kept_id], persons[(pair - {kept_id}).pop()]
    for person in (kept, retired):
        if person.merged_into is not None:
            raise LinkageMerged(field="keep", code=person.national_code)
    reason = f"duplicate of {kept.national_code} (review case {case.id})" + (f": {note}" if note else "")
    registry.merge_person(session, retired_id=retired.id, kept_id=kept.id, reason=reason[:500], actor=actor, now=now)
    case.evidence = {**case.evidence, "kept": kept.id, "merged": retired.id}


def _case(session: Session, case_id: int, *, lock: bool = False) -> LinkageCase:
    query = select(LinkageCase).where(LinkageCase.id == case_id)
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise LinkageNoCase(field="case", case=case_id)
    return case


def _cases_out(session: Session, cases: list[LinkageCase]) -> list[CaseOut]:
    ids = {pid for case in cases for pid in (case.person_id, case.other_person_id) if pid is not None}
    persons = registry.person_briefs(session, list(ids))
    names = usernames(session, {case.decided_by for case in cases if case.decided_by})
    out = []
    for case in cases:
        details = {key: value for key, value in case.evidence.items() if key != "fields"}
        out.append(
            CaseOut(
                id=case.id,
                kind=case.kind,
                status=case.status,
                source=case.source,
                person=persons[case.person_id] if case.person_id else None,
                other_person=persons[case.other_person_id] if case.other_person_id else None,
                event_id=case.event_id,
                match_weight=case.match_weight,
                match_probability=case.match_probability,
                evidence=case.evidence.get("fields", []),
                details=details,
                note=case.note,
                found_at=case.found_at,
                decided_by=names.get(case.decided_by) if case.decided_by else None,
                decided_at=case.decided_at,
            )
        )
    return out
