"""Timeline exports: the whole timeline as CSV or Parquet, streamed in chunks with no row cap,
the display zone recorded, written all-or-nothing; and reading an export back.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.files import AtomicFile
from workbench.queries import door
from workbench.timeline import query as timeline
from workbench.timeline.query import COLUMNS


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    format: str
    tz: str


def _chunks(req: timeline.Request, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The timeline in time order as DataFrames of at most ~``chunk_rows`` platform events.

    Slices are planned from database-side counts so that every query stays under the guard's
    row limit, however many events there are; a too-full slice is split again.
    """
    n, first, last = timeline.extent(req)
    case_df = timeline.case_events(req, req.start, req.end)
    if n == 0:
        if len(case_df):
            yield case_df.sort_values(["ts", "ref"], kind="stable")
        return
    assert first is not None and last is not None  # there are events
    stack: list[tuple[datetime, datetime, int]] = [(first, last + timedelta(seconds=1), n)]
    pending_case = case_df.sort_values(["ts", "ref"], kind="stable").reset_index(drop=True)
    # Depth-first over time slices, earliest first.
    while stack:
        lo, hi, count = stack.pop()
        if count <= chunk_rows or (hi - lo) <= timedelta(seconds=1):
            platform = (
                timeline.fetch(
                    timeline.Request(
                        req.subjects,
                        req.case,
                        lo,
                        hi,
                        tuple(s.name for s in req.platform_sources),
                        req.kinds,
                        req.text,
                        req.refs,
                    )
                )
                if count
                else timeline.tidy(pd.DataFrame(columns=COLUMNS))
            )
            if count and len(platform) < count and count <= chunk_rows:
                # The guard cut the slice (its row limit is below chunk_rows): never export less.
                raise WorkbenchError(
                    f"export stopped: a chunk of {count:,} events came back with "
                    f"{len(platform):,} rows",
                    "pass a smaller chunk_rows",
                )
            mask = pending_case["ts"] < hi
            part = (
                pd.concat([platform, pending_case[mask]], ignore_index=True)
                if mask.any()
                else platform
            )
            pending_case = pending_case[~mask]
            if len(part):
                yield part.sort_values(["ts", "ref", "subject"], kind="stable")
            continue
        # Split by counts per bin (database-side), grouping bins into slices under chunk_rows.
        width = max(1, timeline.bin_width(lo, hi, 2000))
        dens = timeline.density_of(
            timeline.Request(
                req.subjects, req.case, lo, hi, req.sources, req.kinds, req.text, req.refs
            ),
            width,
            0,
            "subject",
            "severity",
            lo,
            hi,
        )
        per_bin = dens.groupby("bin_start")["n"].sum().sort_index()
        slices: list[tuple[datetime, datetime, int]] = []
        cur_lo, cur_n = lo, 0
        for b_start, b_n in per_bin.items():
            b_start = b_start.to_pydatetime()
            b_start = max(b_start, lo)
            if cur_n and cur_n + b_n > chunk_rows:
                slices.append((cur_lo, b_start, cur_n))
                cur_lo, cur_n = b_start, 0
            cur_n += int(b_n)
        slices.append((cur_lo, hi, cur_n))
        if len(slices) == 1 and width == 1:
            slices = [(lo, hi, min(count, chunk_rows))]  # one second holds them all: fetch it
        stack.extend(reversed(slices))
    if len(pending_case):
        yield pending_case


EXPORT_FORMATS = ("csv", "parquet")


def _export_frame(df: pd.DataFrame, tz: ZoneInfo) -> pd.DataFrame:
    out = df.reindex(columns=COLUMNS).copy()
    out.insert(1, "ts_display", out["ts"].dt.tz_convert(tz.key))
    return out


def _iso_strings(ts: pd.Series, tz: ZoneInfo | str) -> pd.Series:
    """ISO-8601 text with the zone's offset (``2026-03-29T03:30:00+02:00``), vectorised."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    key = tz.key if isinstance(tz, ZoneInfo) else tz
    utc = ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    local = ts.dt.tz_convert(key).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    unit = "us" if (local.astype("int64") % 1_000_000).any() else "s"
    base = np.datetime_as_string(local, unit=unit)  # type: ignore[call-overload]
    minutes = (local - utc).astype("int64") // 60_000_000
    uniq, inv = np.unique(minutes, return_inverse=True)
    labels = np.array(
        [f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in uniq],
        dtype=object,
    )
    joined = pc.binary_join_element_wise(
        pa.array(base.astype(object), pa.string()),
        pa.array(labels[inv] if len(uniq) else base[:0].astype(object), pa.string()),
        "",
    )
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=ts.index, dtype="string")


def _arrow_schema(tz: ZoneInfo):
    import pyarrow as pa

    fields = [
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("ts_display", pa.timestamp("us", tz=tz.key)),
    ]
    fields += [pa.field(c, pa.string()) for c in COLUMNS[1:-1]]
    fields.append(pa.field("subject", pa.int64()))
    return pa.schema(
        fields,
        metadata={
            b"workbench.display_zone": tz.key.encode(),
            b"workbench.columns": b"ts is UTC; ts_display is in the display zone",
        },
    )


@door.as_one_act("timeline.export")
def export(
    path: str | Path,
    subjects: Any = None,
    case: str | None = None,
    start: Any = None,
    end: Any = None,
    sources: Any = None,
    kinds: Any = None,
    text: str | None = None,
    tags: Any = None,
    *,
    format: str | None = None,
    tz: ZoneInfo | str | None = None,
    chunk_rows: int = 50_000,
    starred: bool | None = None,
) -> ExportResult:
    """Write the timeline to CSV or Parquet, streamed in chunks with no row cap.

    Every row has ``ts`` (UTC) and ``ts_display`` (the display zone, with its offset); the zone
    is named in a ``# display_zone: <zone>`` first line of a CSV and in the Parquet schema
    metadata (``workbench.display_zone``). The file is written under a temporary name and
    renamed when complete, so a failure never leaves a half-written export.
    """
    target = Path(path).expanduser()
    fmt = (format or target.suffix.lstrip(".") or "csv").lower()
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format {fmt!r} is not supported", "use csv or parquet")
    if not target.parent.is_dir():
        raise NotFoundError(f"folder {str(target.parent)!r} does not exist", "create it first")
    if chunk_rows < 1:
        raise InputError("chunk_rows must be at least 1")
    tzinfo = timeline.zone(tz)
    req = timeline.request(subjects, case, start, end, sources, kinds, text, tags, starred)
    rows = 0
    with AtomicFile(target) as raw:
        if fmt == "csv":
            fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            try:
                fh.write(f"# display_zone: {tzinfo.key}\n")
                header = True
                for chunk in _chunks(req, chunk_rows):
                    frame = _export_frame(chunk, tzinfo)
                    display = _iso_strings(frame["ts"], tzinfo)
                    frame["ts"] = _iso_strings(frame["ts"], "UTC")
                    frame["ts_display"] = display
                    frame.to_csv(fh, index=False, header=header, lineterminator="\n")
                    header = False
                    rows += len(frame)
                if header:  # no events: still a valid file with the header line
                    pd.DataFrame(columns=["ts", "ts_display", *COLUMNS[1:]]).to_csv(
                        fh, index=False, lineterminator="\n"
                    )
            finally:
                fh.flush()
                fh.detach()  # the AtomicFile closes the file once it is synced
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = _arrow_schema(tzinfo)
            with pq.ParquetWriter(raw, schema) as writer:
                for chunk in _chunks(req, chunk_rows):
                    frame = _export_frame(chunk, tzinfo)
                    frame["subject"] = frame["subject"].astype("Int64")
                    writer.write_table(
                        pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
                    )
                    rows += len(frame)
                if rows == 0:
                    writer.write_table(schema.empty_table())
    return ExportResult(target, rows, fmt, tzinfo.key)


def read_export(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read an export back: (events with aware ``ts`` and ``ts_display``, display zone)."""
    target = Path(path)
    if not target.exists():
        raise NotFoundError(f"no export at {str(target)!r}")
    if target.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(target)
        tz_name = (table.schema.metadata or {}).get(b"workbench.display_zone", b"UTC").decode()
        df = table.to_pandas()
    else:
        with open(target, encoding="utf-8") as fh:
            first = fh.readline()
        if not first.startswith("# display_zone:"):
            raise InputError(
                f"{target.name} is not a timeline export", "export it with wb.timeline.export"
            )
        tz_name = first.split(":", 1)[1].strip()
        df = pd.read_csv(
            target,
            skiprows=1,
            dtype={c: "string" for c in COLUMNS[1:-1]},
            keep_default_na=False,
            na_values=[""],
        )
        df["ts"] = pd.to_datetime(df["ts"], utc=True, format="ISO8601")
        df["ts_display"] = pd.to_datetime(
            df["ts_display"], utc=True, format="ISO8601"
        ).dt.tz_convert(tz_name)
        df["subject"] = df["subject"].astype("Int64")
    return df, tz_name
