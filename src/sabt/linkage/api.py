"""Linkage routes: the review queue for investigators, runs over the registry, the model's evaluation on an
uploaded labelled file, and the check a registrar sees before registering a birth."""

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, UploadFile, status

from ..http import CurrentActor, CurrentContext, RowId
from . import service
from .schemas import CandidateOut, CaseOut, CasesPage, CaseStatus, DecisionIn, EvaluationOut, ModelOut, RunOut

router = APIRouter(tags=["linkage"])
EVALUATION_PATH = "/api/linkage/evaluation"


@router.get("/events/{event_id}/duplicates", response_model=list[CandidateOut])
def birth_duplicates(ctx: CurrentContext, actor: CurrentActor, event_id: RowId) -> list[CandidateOut]:
    """Persons a declared birth may duplicate, best first, with the evidence (empty when none)."""
    return service.check_birth(ctx, actor=actor, event_id=event_id)


@router.get("/linkage/cases", response_model=CasesPage)
def cases(
    ctx: CurrentContext,
    actor: CurrentActor,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = "open",
    kind: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CasesPage:
    """The review queue (investigators), strongest matches first."""
    return service.list_cases(ctx, actor=actor, status=case_status, kind=kind, limit=limit, offset=offset)


@router.get("/linkage/cases/{case_id}", response_model=CaseOut)
def case(ctx: CurrentContext, actor: CurrentActor, case_id: RowId) -> CaseOut:
    return service.get_case(ctx, actor=actor, case_id=case_id)


@router.post("/linkage/cases/{case_id}/decision", response_model=CaseOut)
def decide(ctx: CurrentContext, actor: CurrentActor, case_id: RowId, body: DecisionIn) -> CaseOut:
    """duplicate (merges the pair into `keep`, the older record by default), not_duplicate or fraud."""
    return service.decide(ctx, actor=actor, case_id=case_id, decision=body.decision, note=body.note, keep=body.keep)


@router.post("/linkage/runs", response_model=RunOut, status_code=status.HTTP_202_ACCEPTED)
def start_run(ctx: CurrentContext, actor: CurrentActor) -> RunOut:
    """Start a run over the whole registry in the background; follow it at /api/linkage/runs/{id}."""
    return service.run_in_background(ctx, actor=actor)


@router.get("/linkage/runs", response_model=list[RunOut])
def runs(ctx: CurrentContext, actor: CurrentActor) -> list[RunOut]:
    return service.list_runs(ctx, actor=actor)


@router.get("/linkage/runs/{run_id}", response_model=RunOut)
def run(ctx: CurrentContext, actor: CurrentActor, run_id: RowId) -> RunOut:
    return service.get_run(ctx, actor=actor, run_id=run_id)


@router.get("/linkage/model", response_model=ModelOut)
def model(ctx: CurrentContext, actor: CurrentActor) -> ModelOut:
    return service.model_in_use(ctx, actor=actor)


@router.post("/linkage/evaluation", response_model=EvaluationOut)
def evaluation(
    ctx: CurrentContext,
    actor: CurrentActor,
    legacy: UploadFile,
    truth: UploadFile,
    threshold: Annotated[float | None, Query(gt=0, lt=1)] = None,
) -> EvaluationOut:
    """Precision, recall and F1 of the model in use on an uploaded legacy file and its ground truth."""
    with tempfile.TemporaryDirectory() as folder:
        paths = Path(folder) / "legacy.csv", Path(folder) / "truth.csv"
        for upload, path in zip((legacy, truth), paths, strict=True):
            path.write_bytes(upload.file.read())
        return service.evaluate(ctx, actor=actor, legacy=paths[0], truth=paths[1], threshold=threshold)
