"""The disclosure guard that runs before a reply is saved.

A reply may not contain the reporter's identity, another user's personal data (names, handles,
e-mails, phone numbers in any format), text from the case's internal notes, case ids,
policy-internal labels (clause ids, internal tags, category and action ids) or anyone's
special-category data (orientation, gender identity, health). It also enforces the channel's
length limit (Google Play 350, App Store 5,970, social 280). The tone checklist and a
readability figure come with the result; they advise, not block.

The guard's inputs are explicit (:class:`DisclosureContext`), so it works without a case too;
``check(text, case="ESC-...")`` builds the context from the case, its confidential reporters,
subjects, notes and the platform's records of those people.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench import cases
from workbench.cases import notes as notes_mod
from workbench.cases.taxonomy import taxonomy
from workbench.content.language import fold, folded, to_original
from workbench.errors import InputError
from workbench.evidence import items as evidence
from workbench.evidence.protected import Protected, protected
from workbench.evidence.redaction import Person, gather_pii, gather_reports, gather_special
from workbench.ids import validate_case_id
from workbench.phones import digit_form, national_number
from workbench.queries import door
from workbench.replies.drafts import CHANNELS, PUBLIC_CHANNELS, check_channel, reply_settings

TONE_ITEMS = {
    "acknowledge": "Acknowledges the person and what happened",
    "explain": "Explains the action and the rule in plain words",
    "next_steps": "Says what happens next / what they can do",
    "support": "Points to support resources",
}

FINDING_LABELS = {
    "reporter_identity": "the reporter's identity",
    "personal_data": "another person's personal data",
    "internal_note": "text from an internal note",
    "case_id": "a case id",
    "internal_label": "a policy-internal label",
    "special_category": "special-category data",
    "length": "too long for the channel",
}


class DisclosureError(InputError):
    """A reply failed the disclosure guard (or the channel limit) and was not saved."""


# --------------------------------------------------------------------------- guard inputs


@dataclass
class DisclosureContext:
    """What a reply must not reveal. Each ``*_values`` maps a kind (``name``, ``handle``,
    ``email``, ``phone``, ``ref``) to values; ``allowed`` are values the reply may contain
    (the recipient's own details on private channels, the support contacts)."""

    reporter_values: dict[str, set[str]] = field(default_factory=dict)
    other_values: dict[str, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    case_ids: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    special_values: set[str] = field(default_factory=set)
    allowed: set[str] = field(default_factory=set)
    reporter_ids: set[int] = field(default_factory=set)  # user ids of confidential reporters
    other_ids: set[int] = field(default_factory=set)  # user ids of the other people
    report_ids: set[int] = field(default_factory=set)  # reports those reporters filed
    report_texts: list[str] = field(default_factory=list)  # their own words in those reports


_PII_KINDS = ("name", "handle", "email", "phone")


def _merge(into: dict[str, set[str]], values: dict[str, set[str]]) -> None:
    for kind, vals in values.items():
        if kind in _PII_KINDS:
            into.setdefault(kind, set()).update(v for v in vals if v)


def _special_of(user_ids: Iterable[int]) -> set[str]:
    return {v for vals in gather_special(user_ids).values() for v in vals}


def build_context(
    case: str, *, recipient: int | None = None, channel: str | None = None
) -> DisclosureContext:
    """The guard's inputs for ``case``: reporters (confidential), subjects and other people in
    the case (everyone its evidence tables name: the people a subject wrote to, linked
    accounts, ...), its notes, ids, internal tags and labels, and everyone's special-category
    data. The recipient's own name/handle/e-mail are allowed on private channels."""
    validate_case_id(case)
    c = cases.get(case)
    reporters = cases.confidential_reporters(case)
    rep_ids = [r.user_id for r in reporters if r.user_id is not None]
    named = evidence.people_in_tables(evidence.list_items(case, current_only=True))
    people = (
        set(c.subjects)
        | set(rep_ids)
        | named
        | ({int(recipient)} if recipient is not None else set())
    )
    private = recipient is not None and channel not in PUBLIC_CHANNELS
    own = {int(recipient)} if private and recipient is not None else set()
    reporter_ids = {int(u) for u in rep_ids} - own
    with door.act("reply.context", case=case, subjects=people):  # one audit record
        pii = gather_pii(people)
        special = _special_of(people)
        filed_reports = gather_reports(reporter_ids)
    ctx = DisclosureContext()
    for uid in rep_ids:
        if recipient is not None and uid == int(recipient) and channel not in PUBLIC_CHANNELS:
            continue  # writing to the reporter: their own details are theirs
        _merge(ctx.reporter_values, pii.get(uid, {}))
    refs = [r.ref for r in reporters if r.ref]
    if refs:
        ctx.reporter_values.setdefault("ref", set()).update(refs)
    for uid in sorted(set(c.subjects) | named):
        if uid in rep_ids:
            continue
        if recipient is not None and uid == int(recipient) and channel not in PUBLIC_CHANNELS:
            continue
        _merge(ctx.other_values, pii.get(uid, {}))
    if recipient is not None and channel not in PUBLIC_CHANNELS:
        for kind, vals in pii.get(int(recipient), {}).items():
            if kind in _PII_KINDS:
                ctx.allowed.update(vals)
    ctx.reporter_ids = reporter_ids
    ctx.other_ids = (set(c.subjects) | named) - set(rep_ids) - own
    for filed in filed_reports.values():
        for report_id, words in filed:
            ctx.report_ids.add(report_id)
            if words:
                ctx.report_texts.append(words)
    ctx.notes = [n.body for n in notes_mod.notes(case)]
    ctx.case_ids = {c.case_id, *c.related}
    ctx.labels = set(c.tags)
    ctx.special_values = special
    return ctx


# --------------------------------------------------------------------------- guard


@dataclass(frozen=True)
class Finding:
    """Something the reply must not contain, at ``text[start:end]``."""

    kind: str
    start: int
    end: int
    reason: str

    @property
    def label(self) -> str:
        return FINDING_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ToneReport:
    """``grade``: US school grade needed to read the text (Coleman-Liau; aim for 8 or below);
    ``ari``: the Automated Readability Index, a second opinion. Both count letters, words and
    sentences only, so they need no pronunciation dictionary (textstat's Flesch scores would
    download NLTK's cmudict at run time)."""

    items: dict[str, bool]
    grade: float | None
    ari: float | None

    @property
    def missing(self) -> list[str]:
        return [k for k, ok in self.items.items() if not ok]


@dataclass(frozen=True)
class CheckResult:
    """The guard's verdict: ``ok`` is False when there is any finding."""

    text: str
    channel: str | None
    findings: tuple[Finding, ...]
    length: int
    limit: int | None
    tone: ToneReport

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.findings})

    def summary(self) -> str:
        """One line: what is wrong (never the offending values themselves)."""
        if self.ok:
            return "no disclosure found"
        return "contains " + ", ".join(FINDING_LABELS.get(k, k) for k in self.kinds)

    def __bool__(self) -> bool:
        return self.ok


_CASE_ID_RE = re.compile(r"(?i)(?<![A-Za-z0-9])ESC[\s_\-–]*\d{4}[\s_\-–]*\d{1,6}(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_CANDIDATE_RE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d(?:[\s().\-/]*\d){6,16}(?!\w)")
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find_term(hay: str, owner: tuple, term: str, *, bounded: bool = True) -> list[tuple[int, int]]:
    """Spans of the folded ``term`` in the folded text ``hay`` (whole words for Latin terms)."""
    q = fold(term).strip()
    if not q:
        return []
    spans, i = [], hay.find(q)
    while i != -1:
        j = i + len(q)
        latin = all(ord(c) < 0x0530 for c in q if c.isalpha())
        edge_ok = not (bounded and latin) or (
            (i == 0 or not _is_word(hay[i - 1]) or not _is_word(q[0]))
            and (j == len(hay) or not _is_word(hay[j]) or not _is_word(q[-1]))
        )
        if edge_ok:
            spans.append(to_original(owner, i, j))
        i = hay.find(q, i + 1)
    return spans


_DATE_RE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")


def _phones_in(text: str) -> list[tuple[int, int, str | None]]:
    """Phone-number-like spans with their national number (None if not a phone number)."""
    out = []
    for m in _PHONE_CANDIDATE_RE.finditer(text):
        raw = m.group(0)
        if len(re.sub(r"\D", "", raw)) < 7 or _DATE_RE.match(raw.strip()):
            continue
        out.append((m.start(), m.end(), national_number(raw)))
    return out


def _shingles(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


_TOKEN_RE = re.compile(r"\w+")
NOTE_SHINGLE = 5


def _note_findings(text: str, notes: Iterable[str]) -> list[Finding]:
    """Runs of ``NOTE_SHINGLE`` or more words copied from a note (or a whole short note)."""
    return _quote_findings(
        text, notes, NOTE_SHINGLE, "internal_note", "copied from an internal note", 3
    )


QUOTE_SHINGLE = 6
_REPORT_ID_RE = re.compile(r"(?i)\breport\w*\W{0,3}(?:id|no\.?|number)?\W{0,3}#?\s*(\d{1,12})\b")


def _quote_findings(
    text: str, sources: Iterable[str], n: int, kind: str, reason: str, shortest: int = 4
) -> list[Finding]:
    """Runs of ``n`` or more words shared with one of ``sources`` (in any case or accents)."""
    hay, owner = folded(text)
    toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(hay)]
    words = [t[0] for t in toks]
    found: list[Finding] = []
    for src in sources:
        stoks = _TOKEN_RE.findall(fold(src))
        if len(stoks) < shortest:
            continue
        k = min(n, len(stoks))
        grams = _shingles(stoks, k)
        for i in range(len(words) - k + 1):
            if tuple(words[i : i + k]) in grams:
                s, e = to_original(owner, toks[i][1], toks[i + k - 1][2])
                found.append(Finding(kind, s, e, reason))
    return found


def context_protected(ctx: DisclosureContext, allowed: set[str]) -> Protected:
    """The context's values as needles (names and their parts, handles, e-mails and local
    parts, phones, ids) in the normalised form the exit scanner uses; the recipient's own
    (allowed) values are not protected."""
    people = [
        Person(-1, "reporter", dict(ctx.reporter_values)),
        Person(-2, "other", dict(ctx.other_values)),
    ]
    people += [Person(u, "reporter", {}) for u in ctx.reporter_ids]
    people += [Person(u, "other", {}) for u in ctx.other_ids - ctx.reporter_ids]
    if allowed:
        kept = {
            "name": set(allowed),
            "handle": set(allowed),
            "email": {a for a in allowed if "@" in a},
            "phone": {a for a in allowed if sum(c.isdigit() for c in a) >= 7},
        }
        people.append(Person(-3, "other", kept))
    hidden = {p.user_id for p in people if p.user_id != -3}
    return protected(people, hidden, special=False)


def _protected_findings(text: str, ctx: DisclosureContext, allowed: set[str]) -> list[Finding]:
    prot = context_protected(ctx, allowed)
    found = []
    for s, e, hit in prot.spans(text):
        kind = "reporter_identity" if hit.role == "reporter" else "personal_data"
        found.append(Finding(kind, s, e, hit.what))
    # a phone number split up, or written with odd separators: its digits anywhere in the reply
    per_char = digit_form_positions(text)
    digits_at = [i for i, ds in enumerate(per_char) for _ in ds]
    joined = "".join(per_char)
    for key, hit in prot.phones.items():
        at = joined.find(key)
        if at != -1:
            kind = "reporter_identity" if hit.role == "reporter" else "personal_data"
            s, e = digits_at[at], digits_at[at + len(key) - 1] + 1
            found.append(Finding(kind, s, e, hit.what))
    return found


def digit_form_positions(text: str) -> list[str]:
    """Per character of ``text``: its digit ("" for anything else), in the phones' digit form."""
    return ["".join(c for c in digit_form(ch) if c.isdigit()) for ch in text]


def _clause_patterns(ids: Iterable[str]) -> list[re.Pattern]:
    pats = []
    for cid in ids:
        m = re.fullmatch(r"([A-Za-z]+)[-_ ]?([\d.]+)", cid)
        if not m:
            continue
        prefix, num = m.groups()
        pats.append(
            re.compile(rf"(?i)(?<![A-Za-z0-9]){re.escape(prefix)}[\s\-_–]*{re.escape(num)}(?![\d])")
        )
    return pats


def _value_findings(
    kind: str,
    text: str,
    hay: str,
    owner: tuple,
    values: dict[str, set[str]],
    allowed: set[str],
    phones: list[tuple[int, int, str | None]],
) -> list[Finding]:
    who = "the reporter's" if kind == "reporter_identity" else "another user's"
    found = []
    allowed_f = {fold(a) for a in allowed}
    for vkind, vals in values.items():
        for v in vals:
            v = str(v).strip()
            if not v or fold(v) in allowed_f:
                continue
            if vkind == "phone":
                nat = national_number(v)
                for s, e, pn in phones:
                    if nat and pn == nat:
                        found.append(Finding(kind, s, e, f"{who} phone number"))
                continue
            if vkind in ("name", "handle", "ref") and len(fold(v)) < 3:
                continue  # too short to tell from ordinary words
            terms = [v]
            if vkind == "handle":
                terms = [v.lstrip("@")]
            for term in terms:
                for s, e in _find_term(hay, owner, term):
                    found.append(Finding(kind, s, e, f"{who} {vkind}"))
    return found


def _special_findings(hay: str, owner: tuple, values: Iterable[str]) -> list[Finding]:
    cfg = reply_settings()
    ignore = {fold(v) for v in cfg.get("special_values_ignore") or []}
    terms = {str(t) for t in cfg.get("special_category_terms") or []}
    for v in values:
        fv = fold(v).strip()
        if fv and fv not in ignore and len(fv) >= 3:
            terms.add(v)
            terms.update(
                p
                for p in re.split(r"[,;/]\s*", v)
                if len(p.strip()) >= 4 and fold(p).strip() not in ignore
            )
    found = []
    for t in terms:
        for s, e in _find_term(hay, owner, t):
            found.append(
                Finding("special_category", s, e, "orientation, gender identity or health")
            )
    return found


def check(
    text: str,
    case: str | None = None,
    channel: str | None = None,
    *,
    recipient: int | None = None,
    context: DisclosureContext | None = None,
) -> CheckResult:
    """Run the disclosure guard (and the channel limit) over ``text``.

    With ``case``, the context is built from the case (see :func:`build_context`); ``context``
    adds to or replaces it. Without either, only the generic rules run (case ids, clause ids,
    e-mail addresses, phone numbers, special-category terms, length).
    """
    if not isinstance(text, str):
        raise InputError("a reply must be text")
    if channel is not None:
        check_channel(channel)
    ctx = context or DisclosureContext()
    if case is not None and context is None:
        ctx = build_context(case, recipient=recipient, channel=channel)
    elif case is not None:
        validate_case_id(case)
    text = unicodedata.normalize("NFC", text)
    hay, owner = folded(text)
    cfg = reply_settings()
    allowed = set(ctx.allowed) | {str(a) for a in cfg.get("allowed_contacts") or []}
    allowed_f = {fold(a) for a in allowed}
    findings: list[Finding] = []
    phones = _phones_in(text)

    findings += _value_findings(
        "reporter_identity", text, hay, owner, ctx.reporter_values, set(), phones
    )
    findings += _value_findings(
        "personal_data", text, hay, owner, ctx.other_values, allowed, phones
    )
    # Any other e-mail address or phone number: replies only ever carry our own contacts.
    for m in _EMAIL_RE.finditer(text):
        if fold(m.group(0)) not in allowed_f:
            findings.append(Finding("personal_data", m.start(), m.end(), "an e-mail address"))
    allowed_phones = {national_number(a) for a in allowed if re.search(r"\d{6}", a)}
    case_spans = [m.span() for m in _CASE_ID_RE.finditer(text)]
    for s, e, nat in phones:
        if any(s < ce and cs < e for cs, ce in case_spans):
            continue  # a case id (flagged as such below), not a phone number
        if national_number(text[s:e], strict=True) is not None and nat not in allowed_phones:
            findings.append(Finding("personal_data", s, e, "a phone number"))
    for m in _HANDLE_RE.finditer(text):
        if fold(m.group(0).lstrip("@")) not in {a.lstrip("@") for a in allowed_f}:
            findings.append(Finding("personal_data", m.start(), m.end(), "an @handle"))
    findings += _protected_findings(text, ctx, allowed)
    findings += _quote_findings(
        text, ctx.report_texts, QUOTE_SHINGLE, "reporter_identity", "a quote of the report"
    )
    for m in _REPORT_ID_RE.finditer(text):
        if int(m.group(1)) in ctx.report_ids:
            findings.append(Finding("reporter_identity", m.start(1), m.end(1), "a report id"))
    findings += _note_findings(text, ctx.notes)
    for m in _CASE_ID_RE.finditer(text):
        findings.append(Finding("case_id", m.start(), m.end(), "a case id"))
    for cid in ctx.case_ids:
        for s, e in _find_term(hay, owner, cid):
            findings.append(Finding("case_id", s, e, "a case id"))

    for pat in _clause_patterns(taxonomy().clauses):
        for m in pat.finditer(text):
            findings.append(Finding("internal_label", m.start(), m.end(), "a policy clause id"))
    # Category and action ids with an underscore are internal; plain words ("warning") are not.
    tax_ids = {k for k in [*taxonomy().categories, *taxonomy().actions] if "_" in k}
    for label in set(ctx.labels) | tax_ids | {str(x) for x in cfg.get("internal_labels") or []}:
        for s, e in _find_term(hay, owner, label):
            findings.append(Finding("internal_label", s, e, "an internal label or tag"))
    findings += _special_findings(hay, owner, ctx.special_values)

    lim = CHANNELS.get(channel) if channel else None
    if lim is not None and len(text) > lim:
        findings.append(
            Finding("length", lim, len(text), f"{len(text)} characters; {channel} allows {lim}")
        )
    findings = sorted(set(findings), key=lambda f: (f.start, f.end, f.kind))
    return CheckResult(text, channel, tuple(findings), len(text), lim, tone(text))


def tone(text: str) -> ToneReport:
    """The tone checklist (acknowledge, explain, next steps, support) and readability."""
    import textstat

    cues = reply_settings().get("tone") or {}
    f = fold(text)
    items = {k: any(fold(c) in f for c in cues.get(k, [])) for k in TONE_ITEMS}
    grade = ari = None
    if len(_TOKEN_RE.findall(text)) >= 5:
        grade = round(float(textstat.coleman_liau_index(text)), 1)
        ari = round(float(textstat.automated_readability_index(text)), 1)
    return ToneReport(items, grade, ari)
