"""``workbench evidence`` and ``workbench bundle``: collect evidence, write and verify bundles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from workbench.cli.output import check_format, emit, format_option
from workbench.errors import WorkbenchError

evidence_app = typer.Typer(help="Evidence items on a case.", no_args_is_help=True)
bundle_app = typer.Typer(
    help="Evidence bundles: create for an audience, verify.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``evidence`` and ``bundle`` command groups."""
    app.add_typer(evidence_app, name="evidence")
    app.add_typer(bundle_app, name="bundle")


@evidence_app.command("list")
def list_(
    case_id: str = typer.Argument(..., metavar="CASE", help="Case id, e.g. ESC-2026-000123."),
    format: str = format_option(),
) -> None:
    """List a case's evidence items (times in UTC)."""
    from workbench.evidence import items as evidence

    check_format(format)
    evidence.case_info(case_id)  # unknown case: one-line error
    df = evidence.items_frame(case_id)

    def table(items: Any) -> str:
        shown = items.assign(
            sha256=items["sha256"].str[:12] + "…",
            collected_at=items["collected_at"].dt.strftime("%Y-%m-%d %H:%M UTC"),
        )
        return shown.drop(columns=["media_type"]).to_string(index=False)

    emit(df, format, empty=f"{case_id} has no evidence yet", table=table)


@evidence_app.command("add")
def add(
    case_id: str = typer.Argument(..., metavar="CASE", help="Case id."),
    file: Path = typer.Argument(
        ..., metavar="FILE", help="File to collect (copied byte for byte)."
    ),
    note: str | None = typer.Option(None, "--note", help="Why it matters / where it came from."),
    title: str | None = typer.Option(None, "--title", help="Title (default: the file name)."),
    supersedes: str | None = typer.Option(
        None, "--supersedes", help="Item this one corrects, e.g. E0003."
    ),
) -> None:
    """Collect a file as evidence; prints the item label and sha256."""
    from workbench.evidence import items as evidence

    item = evidence.add_file(case_id, file, note=note, title=title, supersedes=supersedes)
    typer.echo(f"{item.label} {item.sha256} {item.size} bytes {item.media_type}")


@bundle_app.command("create")
def create(
    case_id: str = typer.Argument(..., metavar="CASE", help="Case id."),
    audience: str = typer.Option(
        ..., "--audience", "-a", help="internal, legal, law_enforcement or external."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Zip file to write, or a folder."),
    why: str | None = typer.Option(None, "--why", help="Reason for the handover (custody)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Write the case's evidence, redacted for the audience, into one verifiable zip."""
    from workbench.evidence.bundle import create_bundle

    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="B", unit_scale=True, file=sys.stderr, desc="bundling")

    def progress(done: int, total: int, label: str) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(label, refresh=False)
            bar.refresh()

    try:
        res = create_bundle(case_id, audience, out, why=why, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    typer.echo(f"{res.path}")
    typer.echo(
        f"bundle {res.bundle_id} for {res.audience}: {res.items} items, {res.omitted} left out, "
        f"{res.size} bytes; root hash {res.root_hash}"
    )


@bundle_app.command("verify")
def verify(
    path: Path = typer.Argument(..., metavar="PATH", help="Bundle zip to check."),
    trust: list[Path] | None = typer.Option(
        None,
        "--trust",
        metavar="KEY",
        help="Public key (PEM) of a signer to trust; repeat for several. "
        "Default: this home's own bundle key.",
    ),
) -> None:
    """Check the signature, every hash, the root hash, the manifest and the custody chain;
    non-zero exit on any problem."""
    from workbench.evidence.bundle import verify_bundle

    report = verify_bundle(path, trust=trust or None)
    typer.echo(str(report))
    if not report.ok:
        raise VerifyFailed(
            f"{path.name} failed verification: {len(report.problems)} problem(s)",
            "do not rely on this bundle; ask the sender for the original",
        )


class VerifyFailed(WorkbenchError):
    """A bundle did not verify (exit code 1; the reasons are printed above)."""

    exit_code = 1
