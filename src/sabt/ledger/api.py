"""The ledger's public endpoints: checkpoints, leaves with inclusion proofs, consistency proofs, the key.

They need no sign-in: the log holds no personal data, and outside witnesses (courts, the election body)
poll them to keep their own copies of the checkpoints."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse

from ..db import LARGEST_ID
from ..http import CurrentContext
from . import service
from .schemas import CheckpointOut, ConsistencyOut, InclusionOut

# The server signs a checkpoint and has it witnessed on a schedule (api/app.py): the job it runs.
from .witnessing import sign_and_witness as sign_and_witness

router = APIRouter(prefix="/ledger", tags=["ledger"])


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(ctx: CurrentContext) -> str:
    """The latest signed checkpoint, as a C2SP signed note (text/plain)."""
    return service.latest_checkpoint(ctx).note


@router.get("/checkpoint.json", response_model=CheckpointOut)
def checkpoint_json(ctx: CurrentContext) -> CheckpointOut:
    return service.latest_checkpoint(ctx)


@router.get("/public-key", response_class=PlainTextResponse)
def public_key(ctx: CurrentContext) -> str:
    """The verifier key (name+keyid+base64 key) that checks the checkpoints' signatures."""
    return service.public_key(ctx)


@router.get("/leaves/{index}", response_model=InclusionOut)
def leaf(
    ctx: CurrentContext,
    index: Annotated[int, Path(ge=0, le=LARGEST_ID)],
    tree_size: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
) -> InclusionOut:
    """A leaf and its RFC 9162 inclusion proof in the tree of `tree_size` leaves (default: the current)."""
    return service.inclusion(ctx, index=index, tree_size=tree_size)


@router.get("/consistency", response_model=ConsistencyOut)
def consistency(
    ctx: CurrentContext,
    old_size: Annotated[int, Query(ge=1, le=LARGEST_ID)],
    new_size: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
) -> ConsistencyOut:
    """An RFC 9162 consistency proof that the tree of `new_size` extends the tree of `old_size`."""
    return service.consistency(ctx, old_size=old_size, new_size=new_size)
