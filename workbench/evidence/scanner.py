"""The exit scanner: the last wall before anything leaves the team for an audience.

Every artefact written for an audience other than ``internal`` (evidence bundles, the HTML and
notebook of a report, saved replies, and filings) is scanned **after** redaction and **before**
it is written. The scanner looks for every identifying value of the case's people that the
audience may not get (:mod:`workbench.evidence.protected`: names and their parts, handles,
e-mail addresses and their local parts, phone numbers in any grouping, IP addresses, device
ids, payment fingerprints, user ids, long special-category values) in their normalised forms
(:mod:`workbench.evidence.normalise`: NFKC, case-folded, invisible and bidi characters removed,
the TR39 confusables skeleton; phones and ids by their bare digits). A hit stops the write with
:class:`LeakFound`, which names the part and the item and the kind of value, never the value:
a redaction bug becomes a refusal, not a leak.

How to use it (issue 18's filings, say)::

    from workbench.evidence.scanner import scan, LeakFound

    scan(case_id, "law_enforcement", {"filing.txt": text, "cover.html": html_bytes})
    # raises LeakFound("exit scan stopped ...: filing.txt holds a reporter's e-mail address")

``parts`` maps a part name to ``str`` (text), ``bytes`` (a file's content: text, HTML, JSON,
Parquet, images and audio/video are understood; images and A/V must carry no metadata; other
binary formats cannot be checked and are refused) or a ``pandas.DataFrame``. ``item`` names the
evidence item the parts belong to, if any. For many parts, or parts streamed in pieces, build
one :class:`ExitScanner` (it reads the case's people once) and call :meth:`~ExitScanner.text`,
:meth:`~ExitScanner.data`, :meth:`~ExitScanner.frame` or :meth:`~ExitScanner.file` as each
piece is ready. For ``internal`` the scanner passes everything (the team sees it all).
"""

from __future__ import annotations

import codecs
import html
import io
import json
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.evidence import sanitise
from workbench.evidence.protected import Hit, Protected
from workbench.evidence.redaction import (
    EVENT_PARTY_COLUMNS,
    Person,
    Redactor,
    is_person_id_column,
    is_reporter_column,
    load_profile,
    people_for,
)

PartValue: TypeAlias = str | bytes | pd.DataFrame
_TEXTUAL = ("text/", "application/json", "application/xml", "application/x-ndjson")
_CHUNK = 4 << 20  # text is scanned in 4 MiB pieces (overlapping, so nothing is cut in two)
_OVERLAP = 512


class LeakFound(WorkbenchError):
    """The exit scanner found an identifying value the audience may not get; nothing was
    written. ``part``, ``item`` and ``kind`` say where and what (never the value)."""

    exit_code = 4

    def __init__(self, audience: str, part: str, item: str | None, kind: str, what: str) -> None:
        self.audience = audience
        self.part = part
        self.item = item
        self.kind = kind
        where = f"{part} of {item}" if item else part
        super().__init__(
            f"exit scan stopped the {audience} artefact: {where} holds {what}; nothing was written",
            "the redaction missed it: leave that item out or supersede it, and report this",
        )


def case_people(case_id: str) -> list[Person]:
    """Everyone a case's artefacts may name: its subjects, its confidential reporters (and
    their outside references), and every user its evidence tables name."""
    from workbench.evidence import items as ev

    case = ev.case_info(case_id)
    named = ev.people_in_tables(ev.list_items(case_id, current_only=True))
    people = people_for(case.subjects, case.reporters, named - set(case.subjects))
    for n, ref in enumerate(case.reporter_refs, start=1):
        people.append(Person(user_id=-n, role="reporter", values={"reference": {ref}}))
    return people


class ExitScanner:
    """The exit scan of one case's artefacts for one audience (see the module docstring)."""

    def __init__(
        self,
        case_id: str,
        audience: str,
        *,
        redactor: Redactor | None = None,
        people: Iterable[Person] | None = None,
        protected: Protected | None = None,
    ) -> None:
        profile = load_profile(audience)
        self.case_id = case_id
        self.audience = audience
        self.active = profile.outside
        self.parts = 0
        self.bytes = 0
        if not self.active:
            self.protected = Protected()
            return
        if protected is not None:
            self.protected = protected
            return
        if redactor is None:
            from workbench.evidence.pseudonyms import case_key

            plist = list(people) if people is not None else case_people(case_id)
            redactor = Redactor(profile, case_key(case_id), plist)
        self.protected = redactor.protected

    # -- reporting
    def _refuse(self, part: str, item: str | None, hit: Hit) -> None:
        raise LeakFound(self.audience, part, item, hit.kind, hit.what)

    def _metadata(self, part: str, item: str | None, what: str) -> None:
        raise LeakFound(self.audience, part, item, "metadata", f"media metadata ({what})")

    # -- parts
    def text(self, part: str, text: str, *, item: str | None = None) -> None:
        """Scan text (HTML is scanned as written and with its entities decoded)."""
        if not self.active or not text:
            return
        self.parts += 1
        self.bytes += len(text)
        for piece in _pieces(text):
            hit = self.protected.first(piece)
            if hit is None and "&" in piece:
                hit = self.protected.first(html.unescape(piece))
            if hit is not None:
                self._refuse(part, item, hit)

    def frame(self, part: str, df: pd.DataFrame, *, item: str | None = None) -> None:
        """Scan a table: its column names, every text cell, and person-id columns for ids."""
        if not self.active:
            return
        self.text(f"{part} column names", "\n".join(map(str, df.columns)), item=item)
        for col in df.columns:
            name = str(col)
            series = df[col].dropna()
            if series.empty:
                continue
            where = f"{part} column {name}"
            if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
                continue
            if pd.api.types.is_numeric_dtype(series):
                if _person_column(name) and self.protected.ids:
                    for v in series.unique():
                        hit = self.protected.id_value(v)
                        if hit is not None:
                            self._refuse(where, item, hit)
                if series.abs().max() >= 1_000_000 and self.protected.phones:
                    self.text(where, "\n".join(map(str, series.unique())), item=item)
                continue
            values = [_cell_text(v) for v in series.unique()]
            self.text(where, "\n".join(values), item=item)
            if _person_column(name) and self.protected.ids:
                for v in values:
                    hit = self.protected.id_value(v)
                    if hit is not None:
                        self._refuse(where, item, hit)

    def data(
        self, part: str, data: bytes, *, item: str | None = None, media_type: str | None = None
    ) -> None:
        """Scan a file's bytes by what they are (found from the bytes themselves)."""
        if not self.active:
            return
        kind = sanitise.sniff(data[: sanitise.HEAD], io.BytesIO(data))
        if kind.startswith(("audio/", "video/")):
            with tempfile.NamedTemporaryFile(suffix=".av") as tmp:
                tmp.write(data)
                tmp.flush()
                self.file(part, Path(tmp.name), item=item)
            return
        if kind.startswith("image/"):
            found = sanitise.leftover_metadata(data, kind)
            if found:
                self._metadata(part, item, found)
            return
        if kind == "application/vnd.apache.parquet":
            self._parquet(part, io.BytesIO(data), item)
            return
        text = _decode(data)
        if text is None:
            raise LeakFound(
                self.audience, part, item, "unreadable", f"content the scanner cannot read ({kind})"
            )
        self.text(part, text, item=item)

    def file(
        self, part: str, path: Path, *, item: str | None = None, media_type: str | None = None
    ) -> None:
        """Scan a file on disk, streaming (text in pieces, tables in batches)."""
        if not self.active:
            return
        kind = sanitise.sniff_file(path)
        if kind.startswith(("audio/", "video/")):
            found = sanitise.leftover_metadata(b"", kind, path)
            if found:
                self._metadata(part, item, found)
            return
        if kind.startswith("image/") or path.stat().st_size <= _CHUNK:
            self.data(part, path.read_bytes(), item=item, media_type=media_type)
            return
        if kind == "application/vnd.apache.parquet":
            with open(path, "rb") as fh:
                self._parquet(part, fh, item)
            return
        if kind != "text/plain":
            raise LeakFound(
                self.audience, part, item, "unreadable", f"content the scanner cannot read ({kind})"
            )
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        with open(path, "rb") as fh:
            tail = ""
            while chunk := fh.read(_CHUNK):
                text = decoder.decode(chunk)
                self.text(part, tail + text, item=item)
                tail = text[-_OVERLAP:]

    def _parquet(self, part: str, fh: Any, item: str | None) -> None:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(fh)
        meta = pf.metadata.metadata or {}
        self.text(
            f"{part} metadata",
            "\n".join(
                k.decode("utf-8", "replace") + v.decode("utf-8", "replace") for k, v in meta.items()
            ),
            item=item,
        )
        for batch in pf.iter_batches(batch_size=65_536):
            self.frame(part, batch.to_pandas(), item=item)

    def parts_of(
        self, parts: Mapping[str, PartValue] | Iterable[tuple[str, PartValue]], item: str | None
    ) -> None:
        pairs = parts.items() if isinstance(parts, Mapping) else parts
        for name, value in pairs:
            if isinstance(value, pd.DataFrame):
                self.frame(name, value, item=item)
            elif isinstance(value, (bytes, bytearray, memoryview)):
                self.data(name, bytes(value), item=item)
            elif isinstance(value, str):
                self.text(name, value, item=item)
            else:
                self.text(name, json.dumps(value, ensure_ascii=False, default=str), item=item)


def scan(
    case_id: str,
    audience: str,
    parts: Mapping[str, PartValue] | Iterable[tuple[str, PartValue]],
    *,
    item: str | None = None,
) -> None:
    """Scan the named parts of one artefact for ``audience``; :class:`LeakFound` on a hit."""
    ExitScanner(case_id, audience).parts_of(parts, item)


def _person_column(name: str) -> bool:
    return is_person_id_column(name) or is_reporter_column(name) or name in EVENT_PARTY_COLUMNS


def _cell_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if hasattr(v, "tolist"):
        return json.dumps(v.tolist(), ensure_ascii=False, default=str)
    return str(v)


def _pieces(text: str) -> Iterable[str]:
    if len(text) <= _CHUNK:
        yield text
        return
    for start in range(0, len(text), _CHUNK - _OVERLAP):
        yield text[start : start + _CHUNK]


def _decode(data: bytes) -> str | None:
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
