"""``workbench filing``: filings from a case (statements of reasons, member notices, CyberTipline
reports, preservation letters) and from the store (transparency counts). Nothing is sent: each
command prepares, checks and records the filing, and writes it where ``--out`` says."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.output import check_format, emit, format_option
from workbench.errors import InputError

app = typer.Typer(
    help="Filings from a case: DSA statements of reasons and notices, transparency counts, "
    "CyberTipline reports, preservation and production.",
    no_args_is_help=True,
)

CASE = typer.Argument(..., metavar="CASE", help="Case id, e.g. ESC-2026-000123.")


def _write(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` all-or-nothing; an existing file is never overwritten."""
    from workbench.files import atomic_write

    out = out.expanduser()
    if out.is_dir():
        raise InputError(f"{out} is a folder", "give a file name")
    if not out.parent.is_dir():
        raise InputError(f"no folder {out.parent}", "create it first or choose another --out")
    try:
        atomic_write(out, data, if_exists="fail")
    except FileExistsError:
        raise InputError(
            f"{out} already exists", "choose another name; filings are never overwritten"
        ) from None


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        _write(out, text.encode("utf-8"))
        typer.echo(f"wrote {out}")


@app.command("sor")
def sor_(
    case_id: str | None = typer.Argument(None, metavar="CASE", help="Case id (or --all-decided)."),
    subject: int | None = typer.Option(None, "--subject", help="Only this member of the decision."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File to write (a folder with --all-decided)."
    ),
    all_decided: bool = typer.Option(
        False, "--all-decided", help="Every case decided since --since."
    ),
    since: str | None = typer.Option(
        None, "--since", help="With --all-decided: decisions from (ISO-8601)."
    ),
    until: str | None = typer.Option(None, "--until", help="With --all-decided: decisions before."),
) -> None:
    """The DSA statement of reasons for the case's decision, as the Transparency Database's API
    takes it (one statement, or {"statements": [...]} for a decision on several members);
    batches of up to 100 with --all-decided --since DATE. Checked against every field rule and
    the exit scanner; recorded once (its puid is stable: a re-run never files twice)."""
    from workbench.filings import sor

    if all_decided:
        if case_id is not None:
            raise InputError("give a case or --all-decided, not both")
        if not since:
            raise InputError("--all-decided needs --since DATE", "e.g. --since 2026-11-01T00:00Z")
        if out is not None and not out.expanduser().is_dir():
            raise InputError(f"{out} is not a folder", "with --all-decided, --out names a folder")
        run = sor.prepare_since(since, until)
        for n, body in enumerate(run.bodies(), start=1):
            text = sor.dumps(body)
            if out is None:
                typer.echo(text, nl=False)
            else:
                stamp = since.replace(":", "").replace("+", "p")[:20]
                _write(out.expanduser() / f"statements-{stamp}-{n:03d}.json", text.encode("utf-8"))
        typer.echo(
            f"{len(run.statements)} statement(s) in {len(run.batches)} batch(es); "
            f"{len(run.skipped)} prepared earlier and left out",
            err=out is None,
        )
        return
    if case_id is None:
        raise InputError("name a case, or use --all-decided --since DATE")
    got = sor.prepare_case(case_id, subject)
    body = got[0].body if len(got) == 1 else {"statements": [s.body for s in got]}
    _emit(sor.dumps(body), out)
    for s in got:
        state = "already prepared" if s.already else "prepared"
        typer.echo(
            f"{s.puid}: {state} (filing {s.filing.id if s.filing else '?'})", err=out is None
        )
        for w in s.warnings:
            typer.echo(f"note: {w}", err=True)


@app.command("notice")
def notice_(
    case_id: str = CASE,
    subject: int | None = typer.Option(
        None, "--subject", help="The member told (default: the decision's)."
    ),
    channel: str | None = typer.Option(
        None, "--channel", help="email or in_app (default: settings)."
    ),
    language: str | None = typer.Option(
        None, "--language", help="Override the member's language (en, de, fr, es, pt)."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write the notice to."),
) -> None:
    """The Art. 17 notice to the member: facts, ground, scope and duration, automation, and the
    ways to seek redress, in their language and on their channel; saved through the reply
    composer's disclosure guard."""
    from workbench.filings import notice

    n = notice.prepare(case_id, subject, channel=channel, language=language)
    _emit(n.text, out)
    state = "already prepared" if n.already else "saved as a reply and recorded"
    lang = f"{n.language}" + (f" (no {n.wanted_language} template)" if n.fallback else "")
    typer.echo(f"notice for {n.puid} on {n.channel} in {lang}: {state}", err=out is None)


@app.command("transparency")
def transparency_(
    start: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD, UTC)."),
    end: str = typer.Option(..., "--to", help="Last day of the period (YYYY-MM-DD, UTC)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="CSV file to write."),
) -> None:
    """The cells of the DSA transparency report's quantitative template (Implementing
    Regulation (EU) 2024/2835) that the case store can fill, as CSV; the cells it cannot fill
    are listed with an empty value and the reason."""
    from workbench.filings import transparency
    from workbench.store import audit

    got = transparency.counts(start, end)
    _emit(got.csv(), out)
    filled = sum(1 for c in got.cells if c.value is not None)
    audit.record(
        "filing.transparency",
        target=f"{start}/{end}",
        details={"cells": len(got.cells), "filled": filled},
    )
    typer.echo(f"{filled} cell(s) filled, {len(got.cells) - filled} named and left empty", err=True)


@app.command("list")
def list_(case_id: str = CASE, format: str = format_option()) -> None:
    """The case's filings (what, key, status, evidence items, sha256)."""
    from workbench.filings import records

    check_format(format)
    emit(records.frame(case_id), format, empty=f"{case_id} has no filings yet")


@app.command("submitted")
def submitted(
    filing_id: int = typer.Argument(
        ..., metavar="FILING", help="Filing number (workbench filing list)."
    ),
    reference: str | None = typer.Option(None, "--reference", help="The registry's id for it."),
    at: str | None = typer.Option(None, "--at", help="When it was sent (default: now)."),
) -> None:
    """Record that a prepared filing was sent through the registry's own channel."""
    from workbench.filings import records

    f = records.mark_submitted(filing_id, reference=reference, at=at)
    typer.echo(f"{f.key}: submitted {f.submitted_at:%Y-%m-%d %H:%M} UTC")


# --------------------------------------------------------------------------- CyberTipline, holds


def _write_folder(out: Path, files: list[tuple[str, bytes]]) -> None:
    out = out.expanduser()
    if not out.is_dir():
        raise InputError(f"{out} is not a folder", "create it first or choose another --out")
    taken = [n for n, _ in files if (out / n).exists()]
    if taken:
        raise InputError(f"{out / taken[0]} already exists", "choose an empty folder")
    for name, data in files:
        _write(out / name, data)


@app.command("cybertip")
def cybertip_(
    case_id: str = CASE,
    incident: str | None = typer.Option(
        None,
        "--incident",
        help="NCMEC's incident type: csam, trafficking, tourism, molestation, "
        "domain, words_images, enticement, obscene_to_child (default: custom field cybertip_incident).",
    ),
    annotation: list[str] = typer.Option(
        [], "--annotation", help="Report annotation (repeat), e.g. sextortion."
    ),
    escalate: str | None = typer.Option(
        None, "--escalate", help="Why NCMEC should treat it as high priority."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Folder for report.xml and the file details."
    ),
) -> None:
    """The CyberTipline report for a child-safety case: report.xml and one fileDetails document
    per reviewed media file, in the schema's order and checked against its rules. Nothing is
    sent; the report is recorded on the case (evidence, audit) with a one-year preservation
    hold. A case about adults only is refused."""
    from workbench.filings import cybertip

    rep = cybertip.prepare(case_id, incident=incident, annotations=annotation, escalate=escalate)
    files = [("report.xml", rep.report), *rep.files]
    if out is None:
        typer.echo(rep.report.decode("utf-8"), nl=False)
    else:
        _write_folder(out, files)
        typer.echo(f"wrote {len(files)} file(s) to {out}")
    state = "already prepared" if rep.already else "prepared and recorded (not sent)"
    fid = rep.filing.id if rep.filing else "?"
    typer.echo(f"{rep.key}: {state} (filing {fid}, {len(rep.files)} file(s))", err=out is None)
    if rep.hold is not None:
        typer.echo(f"preservation hold until {rep.hold.due:%Y-%m-%d %H:%M} UTC", err=out is None)
    for w in rep.warnings:
        typer.echo(f"note: {w}", err=True)


@app.command("review-file")
def review_file_(
    case_id: str = CASE,
    item: str = typer.Argument(..., metavar="ITEM", help="Evidence item, e.g. E0003."),
    viewed: bool = typer.Option(False, "--viewed", help="You viewed the entire file."),
    exif: bool = typer.Option(False, "--exif-viewed", help="You viewed its EXIF data."),
    industry: str | None = typer.Option(
        None, "--industry", help="A1, A2, B1 or B2 (your classification)."
    ),
    public: bool | None = typer.Option(
        None, "--public/--not-public", help="Whether it was publicly available."
    ),
    supplemental: bool = typer.Option(
        False, "--supplemental", help="Supplemental Reported (context only)."
    ),
    annotation: list[str] = typer.Option([], "--annotation", help="File annotation (repeat)."),
) -> None:
    """Record your step on one media item before it is reported: what you saw and your
    industry classification (never guessed by the workbench)."""
    from workbench.filings import cybertip

    rv = cybertip.review_file(
        case_id,
        item,
        viewed=viewed,
        exif_viewed=exif,
        industry=industry,
        public=public,
        relevance="Supplemental Reported" if supplemental else "Reported",
        annotations=annotation,
    )
    typer.echo(f"{item}: {rv.relevance}, classification {rv.industry or 'none'} by {rv.reviewer}")


@app.command("preservation-request")
def preservation_request(
    case_id: str = CASE,
    request_id: str = typer.Argument(
        ..., metavar="REQUEST", help="Our id for the request, e.g. LE-1."
    ),
    agency: str = typer.Option(..., "--agency", help="The requesting agency."),
    received: str = typer.Option("now", "--received", help="When it was received (ISO-8601)."),
    data: list[str] = typer.Option(..., "--data", help="A data type it names (repeat)."),
    start: str = typer.Option(..., "--from", help="Start of the period it names (ISO-8601)."),
    end: str = typer.Option(..., "--to", help="End of the period it names (ISO-8601)."),
    subject: list[int] = typer.Option(
        [], "--subject", help="An account it names (default: the case's)."
    ),
    reference: str | None = typer.Option(None, "--reference", help="The agency's reference."),
) -> None:
    """Record a law-enforcement preservation request (18 U.S.C. 2703(f)): the data it names is
    collected as evidence and held 90 days from receipt."""
    from workbench.filings import holds

    req, hold = holds.record_request(
        case_id,
        request_id,
        agency=agency,
        received_at=received,
        data_types=data,
        start=start,
        end=end,
        subjects=subject or None,
        reference=reference,
    )
    typer.echo(
        f"{case_id} request {req.request_id}: {len(req.items)} record set(s) held until "
        f"{hold.due:%Y-%m-%d %H:%M} UTC"
    )


@app.command("preservation-renew")
def preservation_renew(
    case_id: str = CASE,
    request_id: str = typer.Argument(..., metavar="REQUEST", help="The request renewed."),
    at: str | None = typer.Option(
        None, "--received", help="When the renewal arrived (default: now)."
    ),
) -> None:
    """A renewed request: the hold runs another 90 days from its end (once; 180 days in all)."""
    from workbench.filings import holds

    hold = holds.renew(case_id, request_id, at=at)
    typer.echo(f"{case_id} request {request_id}: held until {hold.due:%Y-%m-%d %H:%M} UTC")


@app.command("preservation-letter")
def preservation_letter(
    case_id: str = CASE,
    request_id: str | None = typer.Option(None, "--request", help="The request (default: latest)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write the letter to."),
) -> None:
    """The confirmation to the agency: the accounts, data types and period under hold, the
    records preserved with their hashes, and until when. Recorded on the case."""
    from workbench.filings import preservation

    got = preservation.letter(case_id, request_id)
    _emit(got.text, out)
    state = "already prepared" if got.already else "recorded"
    typer.echo(f"{got.key}: {state} (filing {got.filing.id})", err=out is None)


@app.command("holds")
def holds_(
    case_id: str | None = typer.Argument(None, metavar="[CASE]", help="One case (default: all)."),
    within: str = typer.Option("14d", "--within", help="Without CASE: holds ending within this."),
    format: str = format_option(),
) -> None:
    """Preservation holds: one case's, or every case's ending within --within (14 days)."""
    from workbench.filings import holds

    check_format(format)
    df = holds.frame(case_id) if case_id else holds.expiring(within)
    emit(df, format, empty="no holds")
