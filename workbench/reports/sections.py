"""The content of a case's investigation report, section by section, for one audience.

The report notebook (``notebooks/reports/case_report.ipynb``) holds almost no code: it builds a
:class:`CaseReport` from its parameters and displays one section per cell::

    rep = CaseReport.load(case_id, audience="external", as_of=None, display_tz="Europe/Berlin")
    rep.summary()      # who, what, when, category, priority, SLA state
    rep.subjects()     # subjects and their linked accounts
    rep.timeline()     # a static plotly figure (plotly.js is embedded when exported to HTML)
    rep.findings()     # library queries that fit the case's category
    rep.content()      # content reviewed
    rep.evidence()     # evidence items with their sha256
    rep.decision()     # decision and rationale
    rep.reply()        # the reply sent
    rep.changes()      # the change log

Every section returns an object Jupyter displays (``_repr_html_``) and nbconvert exports; a part
of the system that is not installed or has no data says so in plain words instead of failing.

Audience: ``internal`` sees everything the team sees (including confidential reporters). Every
other audience gets the evidence redaction of :mod:`workbench.evidence.redaction` (the same profiles and
per-case pseudonyms as evidence bundles): people become "Person A", identifiers and PII in text
are replaced, reporters are never shown, special-category fields are dropped.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from workbench import cases, content, queries, replies
from workbench.cases.decisions import decisions
from workbench.cases.sla import clocks, show_time
from workbench.cases.taxonomy import taxonomy
from workbench.config import settings
from workbench.errors import InputError, NotFoundError
from workbench.evidence import items as ev
from workbench.evidence.lineage import result_lineage
from workbench.evidence.pseudonyms import case_key
from workbench.evidence.redaction import Person, Redactor, load_profile, people_for
from workbench.ids import validate_case_id
from workbench.store import audit
from workbench.timeline import query as tl
from workbench.timeline.figures import figure
from workbench.times import parse_timestamp, utcnow

AUDIENCES = ("internal", "legal", "law_enforcement", "external")
MAX_ROWS = 25  # rows of a table shown in a report; the row count is always given

# Library queries that fit each category (query name, title), run once per subject.
FINDINGS: dict[str, list[tuple[str, str]]] = {
    "scam_fraud": [
        ("reports_against_user", "Reports against the subject"),
        ("payments_by_user", "Payments by the subject"),
        ("photo_reuse", "The subject's photos on other accounts"),
    ],
    "account_takeover": [
        ("logins_by_user", "Logins of the account (new countries and devices)"),
        ("account_changes", "Changes to the account"),
    ],
    "harassment_hate": [
        ("reports_against_user", "Reports against the subject"),
        ("moderation_history", "Moderation history of the subject"),
    ],
    "violent_threats": [
        ("reports_against_user", "Reports against the subject"),
        ("moderation_history", "Moderation history of the subject"),
    ],
    "sexual_exploitation": [
        ("reports_against_user", "Reports against the subject"),
        ("moderation_history", "Moderation history of the subject"),
    ],
    "minor_safety": [
        ("reports_against_user", "Reports against the subject"),
        ("moderation_history", "Moderation history of the subject"),
    ],
    "impersonation": [
        ("photo_reuse", "The subject's photos on other accounts"),
        ("user_overview", "Account overview"),
    ],
    "false_reporting": [
        ("reports_against_user", "Reports against the member"),
        ("reporter_network", "Links between the reporting accounts"),
        ("moderation_history", "Moderation history of the member"),
    ],
    "spam": [
        ("reports_against_user", "Reports against the subject"),
        ("moderation_history", "Moderation history of the subject"),
    ],
    "privacy_request": [
        ("user_overview", "Account overview"),
        ("account_changes", "Changes to the account"),
    ],
    "legal_request": [
        ("user_overview", "Account overview"),
        ("logins_by_user", "Logins of the account"),
    ],
}
LINKED_HOPS = 2


# --------------------------------------------------------------------------- display objects

_CSS = """<style>
.wb-report table { border-collapse: collapse; margin: .3rem 0 .8rem; font-size: .85rem; }
.wb-report th, .wb-report td { border: 1px solid #ccc; padding: .2rem .45rem; text-align: start;
  vertical-align: top; }
.wb-report th { background: #f2f2f2; }
.wb-report .hash { font-family: ui-monospace, monospace; font-size: .78rem; word-break: break-all; }
.wb-report .missing { color: #8a5300; font-style: italic; }
.wb-report .muted { color: #666; font-size: .85rem; }
</style>"""


@dataclass
class Block:
    """A piece of report HTML (what a section cell displays)."""

    html: str
    text: str = ""

    def _repr_html_(self) -> str:
        return f"<div class='wb-report'>{self.html}</div>"

    def __repr__(self) -> str:
        return self.text or "report block"


@dataclass
class StaticFigure:
    """A plotly figure shown as plotly JSON (JupyterLab) and as a plotly div (HTML export).

    Jupyter's default plotly output is only the ``application/vnd.plotly.v1+json`` mimetype,
    which nbconvert drops. The ``text/html`` part here is the figure's div and ``Plotly.newPlot``
    call without plotly.js; the report exporter embeds plotly.js once in the page's head.
    """

    figure: Any
    caption: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        import plotly.io as pio

        fig_json = json.loads(pio.to_json(self.figure, validate=False))
        div = pio.to_html(
            self.figure,
            include_plotlyjs=False,
            full_html=False,
            config={"displaylogo": False, "responsive": True},
        )
        caption = f"<p class='muted'>{html.escape(self.caption)}</p>" if self.caption else ""
        return {
            "application/vnd.plotly.v1+json": fig_json,
            "text/html": f"<div class='wb-report wb-figure'>{div}{caption}</div>",
            "text/plain": self.caption or "plotly figure",
        }


def _missing(what: str) -> Block:
    return Block(f"<p class='missing'>{html.escape(what)}</p>", what)


def _table(df: pd.DataFrame, *, max_rows: int = MAX_ROWS, hash_cols: tuple[str, ...] = ()) -> str:
    if df is None or len(df) == 0:
        return "<p class='muted'>none</p>"
    shown = df.head(max_rows)
    cols = [str(c) for c in shown.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = []
    for rec in shown.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(cols, rec):
            text = "" if _isna(v) else str(v)
            cls = " class='hash'" if c in hash_cols else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f"<p class='muted'>showing {len(shown)} of {len(df):,} rows</p>"
        if len(df) > len(shown)
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _kv(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape('' if v is None else str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _isna(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- the report


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise InputError(f"{audience!r} is not an audience", f"use one of {', '.join(AUDIENCES)}")
    return audience


def check_zone(display_tz: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(display_tz, ZoneInfo):
        return display_tz
    if display_tz is None or str(display_tz).strip() == "":
        return settings().tz
    try:
        return ZoneInfo(str(display_tz).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{display_tz!r} is not a known time zone",
            "use an IANA name such as Europe/Berlin or UTC",
        ) from None


def default_case() -> str:
    """The most recently filed open case (the notebook's default, for trying it out)."""
    got = cases.list_cases(open_only=True, limit=1)
    if not got:
        raise NotFoundError(
            "there is no open case to report on",
            "file one with `workbench case new` or pass case_id",
        )
    return got[0].case_id


@dataclass
class CaseReport:
    """One case seen by one audience as of one moment, shown in one zone."""

    case: Any
    audience: str
    as_of: datetime
    tz: ZoneInfo
    reporters: list = field(default_factory=list)
    _redactor: Any = None
    _linked: dict[int, pd.DataFrame] | None = None

    # -- building
    @classmethod
    def load(
        cls,
        case_id: str | None,
        audience: str = "internal",
        as_of: Any = None,
        display_tz: str | ZoneInfo | None = None,
    ) -> CaseReport:
        """Read the case; ``case_id=None`` takes the most recently filed open case."""
        check_audience(audience)
        tz = check_zone(display_tz)
        when = utcnow() if as_of in (None, "") else parse_timestamp(as_of)
        case = cases.get(validate_case_id(case_id) if case_id is not None else default_case())
        reporters = cases.confidential_reporters(case.case_id)
        return cls(case, audience, when.astimezone(UTC), tz, reporters)

    @property
    def case_id(self) -> str:
        return self.case.case_id

    @property
    def outside(self) -> bool:
        return self.audience != "internal"

    def when(self, ts: datetime | None) -> str:

        return show_time(ts, self.tz)

    # -- redaction
    def redactor(self):
        """The case's redactor for this audience (built once; pseudonyms keyed per case)."""
        if self._redactor is None:
            profile = load_profile(self.audience)
            people = []
            if profile.changes_anything:
                others = {int(u) for df in self.linked().values() for u in _ids(df)}
                reporter_ids = [r.user_id for r in self.reporters if r.user_id is not None]
                people = people_for(
                    self.case.subjects, reporter_ids, others - set(self.case.subjects)
                )

                for n, r in enumerate(self.reporters, start=1):  # outside references too
                    if r.ref:
                        people.append(Person(user_id=-n, role="reporter", values={"name": {r.ref}}))
            self._redactor = Redactor(profile, case_key(self.case_id), people)
        return self._redactor

    def text(self, value: Any) -> str:
        """Free text as this audience may read it."""
        if _isna(value):
            return ""
        s = str(value)
        if not self.outside:
            return s
        red = self.redactor()
        return red.text(s) if red.profile.free_text == "mask" else s

    def person(self, user_id: Any) -> str:
        return str(self.redactor().label(user_id)) if self.outside else str(user_id)

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """A table as this audience may read it (times shown in the display zone)."""
        if self.outside and len(df.columns):
            prov = df.attrs.get("provenance")
            lineage = (
                result_lineage(
                    str(prov["sql"]),
                    [str(c) for c in df.columns],
                    str(prov.get("dialect") or "duckdb"),
                )
                if isinstance(prov, dict) and prov.get("sql")
                else None
            )
            df, _ = self.redactor().frame(df, lineage)
        return self._zoned(df)

    def _zoned(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        for col in out.columns:
            if isinstance(out[col].dtype, pd.DatetimeTZDtype):
                out[col] = out[col].dt.tz_convert(self.tz).dt.strftime("%Y-%m-%d %H:%M %Z")
        return out

    # -- data shared by sections
    def linked(self) -> dict[int, pd.DataFrame]:
        """Linked accounts per subject (library query ``linked_accounts``)."""
        if self._linked is None:
            self._linked = {}
            for uid in self.case.subjects:
                self._linked[uid] = queries.query(
                    "linked_accounts",
                    case=self.case_id,
                    **self._bind("linked_accounts", uid),
                    max_hops=LINKED_HOPS,
                )
        return self._linked

    # -- sections
    def header(self) -> Block:
        c = self.case
        rows = [
            ("Case", c.case_id),
            ("Audience", self.audience),
            ("As of", self.when(self.as_of)),
            ("Times shown in", self.tz.key),
        ]
        title = html.escape(self.text(c.title))
        note = (
            ""
            if not self.outside
            else "<p class='muted'>Redacted for this audience: people are pseudonymised per case, "
            "identifiers and personal data in text are replaced, reporters are not shown.</p>"
        )
        return Block(
            f"{_CSS}<h1>Investigation report {html.escape(c.case_id)}: {title}</h1>"
            f"{_kv(rows)}{note}",
            f"report {c.case_id}",
        )

    def summary(self) -> Block:

        c = self.case
        cat = taxonomy().categories.get(c.category)
        st = clocks(c, self.as_of)
        who = ", ".join(self.person(u) for u in c.subjects) or "no subject recorded"
        rows = [
            ("Who (subjects)", who),
            ("What", self.text(c.title)),
            ("Summary", self.text(c.summary) or "—"),
            ("When (filed)", self.when(c.created_at)),
            ("Category", f"{cat.title} ({c.category})" if cat else c.category),
            ("Priority", c.priority),
            ("Status", c.status),
            ("Source team", c.source),
            ("Assignee", c.assignee or "unassigned"),
            (
                "First response",
                f"{st.first_response.state}: {st.first_response.countdown()} "
                f"(due {self.when(st.first_response.due)})",
            ),
            (
                "Resolution",
                f"{st.resolution.state}: {st.resolution.countdown()} "
                f"(due {self.when(st.resolution.due)})",
            ),
            ("SLA state", st.worst),
        ]
        if st.preservation is not None:
            rows.append(
                (
                    "Legal preservation until",
                    f"{self.when(st.preservation.due)} ({st.preservation.state})",
                )
            )
        if c.related:
            rows.append(("Related cases", ", ".join(c.related)))
        if not self.outside:
            shown = [
                str(r.user_id) if r.user_id is not None else (r.ref or "") for r in self.reporters
            ]
            rows.append(("Reporters (confidential)", ", ".join(shown) or "none recorded"))
        return Block(_kv(rows), f"summary of {c.case_id}: SLA {st.worst}")

    def subjects(self) -> Block:

        c = self.case
        if not c.subjects:
            return _missing("No subjects are recorded on this case.")
        accounts = content.users(list(c.subjects), case=self.case_id)
        keep = [
            k
            for k in (
                "user_id",
                "handle",
                "display_name",
                "country",
                "language",
                "status",
                "verified",
                "created_at",
            )
            if k in accounts.columns
        ]
        parts = ["<h3>Subjects</h3>", _table(self.frame(accounts[keep]))]
        missing = sorted(set(c.subjects) - {int(u) for u in accounts.get("user_id", [])})
        if missing:
            parts.append(
                f"<p class='missing'>Not on the platform: "
                f"{html.escape(', '.join(self.person(u) for u in missing))}</p>"
            )
        parts.append(f"<h3>Linked accounts (up to {LINKED_HOPS} hops)</h3>")
        for uid, df in self.linked().items():
            parts.append(f"<h4>{html.escape(self.person(uid))}: {len(df):,} linked</h4>")
            parts.append(_table(self.frame(df)))
        return Block("".join(parts), f"{len(c.subjects)} subject(s)")

    def timeline(self) -> StaticFigure | Block:
        if not self.case.subjects:
            return _missing("No timeline: the case has no subjects.")
        v = tl.view(case=self.case_id, tz=self.tz)
        if self.outside:
            v = replace(
                v,
                events=self._redact_events(v.events),
                annotations=None,
                milestones=self._redact_events(v.milestones),
            )
        events = v.total if v.mode == "density" else len(v.events)
        title = f"Timeline of {self.case_id} · {events:,} events · times in {self.tz.key}"
        fig = figure(v, title=title)
        caption = (
            f"{'Event density' if v.mode == 'density' else 'Every event'} from "
            f"{self.when(v.start)} to {self.when(v.end)}; dashed lines are case milestones."
        )
        return StaticFigure(fig, caption)

    def _redact_events(self, df: pd.DataFrame) -> pd.DataFrame:
        if df is None or len(df) == 0:
            return df
        out = df.copy()
        for col in ("actor", "target"):
            if col in out.columns:
                out[col] = (
                    out[col].map(lambda v: v if _isna(v) else self._actor(v)).astype("string")
                )
        if "summary" in out.columns:
            out["summary"] = (
                out["summary"].map(lambda v: v if _isna(v) else self.text(v)).astype("string")
            )
        if "subject" in out.columns:  # subject ids stay numbers (lanes); hide them in hover text
            out["subject"] = pd.array([pd.NA] * len(out), dtype="Int64")
        return out

    def _bind(self, name: str, user_id: int) -> dict[str, Any]:
        """Parameters for a library query about one subject, up to the report's as-of time."""
        declared = {p.name for p in queries.params(name)}
        bound: dict[str, Any] = {"user_id": user_id}
        if "end" in declared:
            bound["end"] = self.as_of.isoformat()
        return bound

    def _actor(self, value: Any) -> str:
        s = str(value)
        return self.person(s) if s.strip().lstrip("-").isdigit() else self.text(s)

    def findings(self) -> Block:
        c = self.case
        wanted = FINDINGS.get(c.category, [("user_overview", "Account overview")])
        if not c.subjects:
            return _missing("No findings: the case has no subjects.")
        parts, counts = [], []
        for name, title in wanted:
            if name not in queries.names():  # a team's own library may lack one
                parts.append(_missing(f"{title}: the library has no query {name!r}.").html)
                continue
            for uid in c.subjects:
                df = queries.query(name, case=self.case_id, **self._bind(name, uid))
                counts.append(f"{name}={len(df)}")
                parts.append(
                    f"<h3>{html.escape(title)} · {html.escape(self.person(uid))}</h3>"
                    f"<p class='muted'>library query <code>{html.escape(name)}</code>, "
                    f"{len(df):,} rows</p>{_table(self.frame(df))}"
                )
        return Block("".join(parts), "findings: " + ", ".join(counts))

    def content(self) -> Block:

        parts = []
        items = [i for i in ev.list_items(self.case_id, current_only=True) if i.kind == "content"]
        parts.append("<h3>Content collected as evidence</h3>")
        if items:
            df = pd.DataFrame(
                {
                    "item": [i.label for i in items],
                    "what": [i.details.get("content_kind", "") for i in items],
                    "title": [self.text(i.title) for i in items],
                    "collected_by": [i.collected_by for i in items],
                    "collected_at": [self.when(i.collected_at) for i in items],
                }
            )
            parts.append(_table(df))
        else:
            parts.append("<p class='muted'>No content has been collected on this case yet.</p>")
        parts.append("<h3>Subjects' content on the platform</h3>")
        rows = []
        for uid in self.case.subjects:
            try:
                card = content.profile(uid, case=self.case_id)
            except NotFoundError:
                continue
            convs = content.conversations(uid, case=self.case_id)
            rows.append(
                {
                    "subject": self.person(uid),
                    "bio": self.text(card.profile.get("bio")),
                    "photos": len(card.photos),
                    "photos removed": int((card.photos.get("status") == "removed").sum())
                    if "status" in card.photos
                    else 0,
                    "conversations": len(convs),
                    "account changes": len(card.changes),
                }
            )
        parts.append(
            _table(pd.DataFrame(rows))
            if rows
            else "<p class='muted'>No subject is on the platform.</p>"
        )
        acts = audit.records(self.case_id)["action"].astype(str)
        shown = int(acts.str.contains("reveal", regex=False).sum())
        parts.append(
            f"<p class='muted'>Media revealed to specialists on this case: {shown} time(s).</p>"
        )
        return Block("".join(parts), f"{len(items)} content item(s)")

    def evidence(self) -> Block:

        df = ev.items_frame(self.case_id)
        if df.empty:
            return Block(
                "<p class='muted'>No evidence has been collected on this case.</p>", "no evidence"
            )
        df = df.copy()
        df["title"] = [self.text(t) for t in df["title"]]
        df["collected_at"] = [self.when(t.to_pydatetime()) for t in df["collected_at"]]
        cols = [
            "item",
            "kind",
            "title",
            "media_type",
            "size",
            "sha256",
            "collected_by",
            "collected_at",
            "supersedes",
            "superseded_by",
        ]
        return Block(
            _table(df[cols], max_rows=10_000, hash_cols=("sha256",))
            + "<p class='muted'>sha256 of each item's stored payload, as collected.</p>",
            f"{len(df)} evidence item(s)",
        )

    def decision(self) -> Block:

        got = decisions(self.case_id)
        if not got:
            return Block("<p class='muted'>No decision has been recorded yet.</p>", "no decision")
        tax = taxonomy()
        parts = []
        for n, d in enumerate(reversed(got)):
            clauses = "; ".join(
                f"{cl}: {tax.clauses[cl].title}" if cl in tax.clauses else cl for cl in d.clauses
            )
            action = tax.actions[d.action].title if d.action in tax.actions else d.action
            label = "Decision" if n == 0 else "Earlier decision"
            parts.append(
                f"<h3>{label}, {html.escape(self.when(d.at))}</h3>"
                + _kv(
                    [
                        ("Action", action),
                        ("Clauses", clauses),
                        ("Rationale", self.text(d.rationale)),
                        ("Applies to", ", ".join(self.person(u) for u in d.subjects) or "—"),
                        ("Decided by", d.who),
                    ]
                )
            )
        return Block("".join(parts), f"decision: {got[-1].action}")

    def reply(self) -> Block:
        df = replies.replies(self.case_id)
        if df.empty:
            return Block("<p class='muted'>No reply has been sent on this case.</p>", "no reply")
        parts = []
        for rec in df.to_dict("records"):
            parts.append(
                f"<h3>{html.escape(str(rec['channel']))} reply, {html.escape(self.when(rec['at']))}"
                f" by {html.escape(str(rec['who']))}</h3>"
                f"<blockquote style='white-space:pre-wrap'>{html.escape(self.text(rec['text']))}"
                f"</blockquote><p class='muted hash'>sha256 {html.escape(str(rec['sha256']))}</p>"
            )
        return Block("".join(parts), f"{len(df)} reply(ies)")

    def filings(self) -> Block:
        """The filings prepared from the case (statements of reasons, notices, reports):
        what, its key, status and the sha256 of what was recorded as evidence."""
        from workbench.filings import records

        df = records.frame(self.case_id)
        if df.empty:
            return Block(
                "<p class='muted'>No filing has been prepared from this case.</p>", "no filings"
            )
        df = df.copy()
        df["subject"] = ["" if _isna(u) else self.person(int(u)) for u in df["subject"]]
        for col in ("created_at", "submitted_at"):
            df[col] = ["" if _isna(t) else self.when(t) for t in df[col]]
        cols = ["what", "key", "status", "subject", "sha256", "created_by", "created_at"]
        cols += ["submitted_at", "reference"]
        return Block(
            _table(df[cols], max_rows=10_000, hash_cols=("sha256",))
            + "<p class='muted'>Prepared here; sent only through each registry's own channel.</p>",
            f"{len(df)} filing(s)",
        )

    def changes(self) -> Block:

        rows = []
        for ch in cases.history(self.case_id):
            if self.outside and ch.field and "reporter" in ch.field:
                continue  # who reported stays in the team
            rows.append(
                {
                    "when": self.when(ch.at),
                    "who": ch.who,
                    "action": ch.action,
                    "field": ch.field or "",
                    "old": self._change_value(ch.field, ch.old),
                    "new": self._change_value(ch.field, ch.new),
                    "reason": self.text(ch.reason),
                    "version": ch.version,
                }
            )
        return Block(_table(pd.DataFrame(rows), max_rows=10_000), f"{len(rows)} change(s)")

    def _change_value(self, field_name: str | None, value: Any) -> str:
        if value is None:
            return ""
        if field_name == "subjects" and self.outside:
            vals = value if isinstance(value, list) else [value]
            return ", ".join(self.person(v) for v in vals)
        text = (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        )
        return self.text(text)


# --------------------------------------------------------------------------- helpers


def _ids(df: pd.DataFrame) -> list[int]:
    out: list[int] = []
    for col in df.columns:
        if str(col) in ("user_id", "linked_user_id", "other_user_id"):
            out.extend(int(v) for v in df[col].dropna().unique())
    return out


__all__ = [
    "AUDIENCES",
    "FINDINGS",
    "Block",
    "StaticFigure",
    "CaseReport",
    "check_audience",
    "check_zone",
    "default_case",
]
