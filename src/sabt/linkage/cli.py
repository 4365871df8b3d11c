"""`sabt linkage …`: estimate and evaluate the model, run it over the registry, check a declared birth, and
work the review queue."""

from pathlib import Path
from typing import Annotated

import typer

from ..accounts import service as accounts
from ..terminal import INPUT_FILE, RowIdArgument, command_context, out, print_model
from . import service
from .schemas import Decision

linkage_app = typer.Typer(help="Duplicate and fraud detection.", no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", envvar="SABT_USER", help="The user acting")]
Legacy = Annotated[Path, typer.Option(help="A legacy person file (the import format)", **INPUT_FILE)]
Truth = Annotated[Path, typer.Option(help="Its ground truth: columns row and person (and kind and of)", **INPUT_FILE)]


@linkage_app.command("train")
def train(
    legacy: Legacy,
    truth: Truth,
    as_user: AsUser,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the model here")] = None,
) -> None:
    """Estimate the model from a labelled legacy file and use it from now on."""
    with command_context() as ctx:
        model = service.train(
            ctx, actor=accounts.actor_for_username(ctx, as_user), legacy=legacy, truth=truth, out=out_file
        )
    out.print(f"model {model.id} estimated on {model.trained_on} ({model.true_pairs} true pairs)", markup=False)


@linkage_app.command("evaluate")
def evaluate(
    legacy: Legacy,
    truth: Truth,
    as_user: AsUser,
    threshold: Annotated[float | None, typer.Option(min=0.0, max=1.0)] = None,
) -> None:
    """Precision, recall and F1 of the model in use against a labelled legacy file."""
    with command_context() as ctx:
        scores = service.evaluate(
            ctx, actor=accounts.actor_for_username(ctx, as_user), legacy=legacy, truth=truth, threshold=threshold
        )
    out.print(
        f"{scores.records} records, {scores.true_pairs} true pairs, {scores.found_pairs} found, "
        f"{scores.correct_pairs} correct at threshold {scores.threshold}\n"
        f"precision {scores.precision:.4f}  recall {scores.recall:.4f}  F1 {scores.f1:.4f}  "
        f"({scores.seconds} s)",
        markup=False,
    )
    for kind in scores.kinds:
        found = f"recall {kind.joined / kind.pairs:.3f}" if kind.same_person else f"wrongly joined {kind.joined}"
        out.print(f"  {kind.kind:<20} {kind.pairs:>6} pairs  {found}", markup=False, highlight=False)


@linkage_app.command("run")
def run(as_user: AsUser) -> None:
    """Run the model and the rules over the whole registry; new findings go to the review queue."""
    with command_context() as ctx:
        result = service.run_linkage(ctx, actor=accounts.actor_for_username(ctx, as_user))
    out.print(
        f"run {result.id}: {result.persons} persons, {result.pairs_scored} pairs above the threshold, "
        f"{result.cases_found} findings, {result.cases_new} new in the queue, {result.seconds} s",
        markup=False,
    )


@linkage_app.command("check")
def check(event_id: RowIdArgument, as_user: AsUser) -> None:
    """Persons a declared birth may duplicate, as JSON (empty when none)."""
    with command_context() as ctx:
        print_model(service.check_birth(ctx, actor=accounts.actor_for_username(ctx, as_user), event_id=event_id))


@linkage_app.command("queue")
def queue(
    as_user: AsUser,
    status: Annotated[str, typer.Option(help="open, duplicate, not_duplicate, fraud")] = "open",
    kind: Annotated[str | None, typer.Option(help="duplicate, or a rule's name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
) -> None:
    """The review queue, strongest matches first."""
    with command_context() as ctx:
        page = service.list_cases(
            ctx, actor=accounts.actor_for_username(ctx, as_user), status=status, kind=kind, limit=limit
        )
    out.print(f"{page.total} case(s)", markup=False)
    for case in page.cases:
        who = " / ".join(
            f"{p.national_code} {p.first_name} {p.last_name}" for p in (case.person, case.other_person) if p
        )
        weight = f" weight {case.match_weight:.1f}" if case.match_weight is not None else ""
        out.print(f"#{case.id} {case.kind}{weight}: {who or case.details}", markup=False)


@linkage_app.command("show")
def show(case_id: RowIdArgument, as_user: AsUser) -> None:
    """One case with its evidence, as JSON."""
    with command_context() as ctx:
        print_model(service.get_case(ctx, actor=accounts.actor_for_username(ctx, as_user), case_id=case_id))


@linkage_app.command("decide")
def decide(
    case_id: RowIdArgument,
    decision: Annotated[Decision, typer.Argument(help="duplicate, not_duplicate or fraud")],
    as_user: AsUser,
    note: str = "",
    keep: Annotated[int | None, typer.Option(help="For a duplicate: the person id that stays")] = None,
) -> None:
    """Decide a case; a duplicate is merged into the record that stays (the older one by default)."""
    with command_context() as ctx:
        case = service.decide(
            ctx,
            actor=accounts.actor_for_username(ctx, as_user),
            case_id=case_id,
            decision=decision,
            note=note,
            keep=keep,
        )
    out.print(f"case {case.id}: {case.status}", markup=False)
