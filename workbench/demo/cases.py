"""Demo cases: a case for every planted scenario plus ordinary historical cases.

:func:`file_demo_cases` reads ``<home>/ground_truth.json`` (written by the demo generator) and
files, through the same core functions specialists use:

* one open case per planted scenario (the current queue), in the category its kind maps to
  (``scenario_categories`` in ``templates/decisions.yaml``), as frontline sends it: a scam ring's
  case names the one member a victim reported, with the report's text (finding the rest of the
  ring is the investigation; the ground truth keeps the answer). For ``false_reporting`` the
  subject is the member who was mass-reported and the category is ``false_reporting`` (abuse of
  reporting): the fair outcome for that member is "no violation"; the burst of reports from
  linked reporters is marked on the case (:func:`workbench.hunt.coordinated.mark_case`);
* a platform-wide hunt (:func:`workbench.hunt.rings`, at the anchor), saved for the views
  (``SimilarClusters``, ``EmergingClusters``) as ``workbench hunt rings`` would;
* ``n_history`` historical cases spread over the ~120 days before the anchor with realistic
  lifecycles: claims, triage, waits on partners, decisions, closures, a few reopenings, some
  SLA breaches.

Deterministic for a seed (same ids, times and outcomes), and idempotent: every demo case has an
external id (``DEMO-SCN-*``, ``DEMO-HIST-*``), so running it again files nothing new.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from workbench import cases
from workbench.cases import decisions, notes
from workbench.cases.sla import policy as sla_policy
from workbench.cases.taxonomy import taxonomy
from workbench.config import Settings
from workbench.config import settings as current_settings
from workbench.errors import NotFoundError
from workbench.platform.schema import reports, users
from workbench.queries import door
from workbench.store import session as store_session
from workbench.store.models import CaseRow
from workbench.times import parse_timestamp

ANALYSTS = ("a.okafor", "m.tanaka", "s.novak", "l.garcia", "r.iyer", "j.muller")
HISTORY_DAYS = 120

CATEGORY_WEIGHTS = {
    "scam_fraud": 22,
    "harassment_hate": 20,
    "account_takeover": 12,
    "impersonation": 10,
    "spam": 9,
    "false_reporting": 5,
    "sexual_exploitation": 5,
    "violent_threats": 4,
    "minor_safety": 3,
    "privacy_request": 6,
    "legal_request": 4,
}
SOURCE_WEIGHTS = {
    "support": 35,
    "moderation": 30,
    "trust_safety": 15,
    "safety_compliance": 8,
    "legal": 5,
    "other": 7,
}
# Typical outcomes per category (action: weight).
OUTCOMES = {
    "scam_fraud": {"permanent_ban": 5, "temporary_suspension": 2, "warning": 1, "no_violation": 2},
    "account_takeover": {"feature_restriction": 3, "no_violation": 3, "temporary_suspension": 1},
    "harassment_hate": {
        "warning": 4,
        "content_removal": 3,
        "temporary_suspension": 2,
        "permanent_ban": 1,
        "no_violation": 2,
    },
    "impersonation": {"permanent_ban": 3, "feature_restriction": 2, "no_violation": 2},
    "spam": {"temporary_suspension": 3, "permanent_ban": 2, "warning": 2},
    "false_reporting": {"no_violation": 6, "warning": 1},
    "sexual_exploitation": {"permanent_ban": 5, "law_enforcement_referral": 3},
    "violent_threats": {
        "permanent_ban": 3,
        "law_enforcement_referral": 2,
        "temporary_suspension": 2,
    },
    "minor_safety": {"permanent_ban": 4, "law_enforcement_referral": 2, "no_violation": 1},
    "privacy_request": {"request_fulfilled": 6, "content_removal": 1},
    "legal_request": {"request_fulfilled": 5, "escalate_to_legal": 2},
}
RATIONALES = {
    "no_violation": "Evidence reviewed; the reported behaviour does not breach the cited clause.",
    "warning": "First, low-severity breach; the member was warned and the policy explained.",
    "content_removal": "The offending content breaches the clause and was removed.",
    "feature_restriction": "Messaging restricted while the account is secured and reviewed.",
    "temporary_suspension": "Repeated breach after earlier warnings; suspended for 14 days.",
    "permanent_ban": "Severe or repeated breach confirmed by messages and linked accounts.",
    "escalate_to_legal": "Request needs legal review before any disclosure.",
    "law_enforcement_referral": "Credible risk of harm; referred to law enforcement.",
    "request_fulfilled": "Request verified and answered within the legal scope.",
}
SCENARIO_SUMMARIES = {
    "romance_scam_ring": "Several members report matches who moved to money requests (gift cards, "
    "crypto) after weeks of romantic messages; accounts look linked.",
    "account_takeover": "Member says they were locked out after an email and password change "
    "they did not make; new logins from an unfamiliar country.",
    "harassment_campaign": "Member receives a burst of abusive messages from several new accounts.",
    "sextortion": "Member reports threats to share intimate images unless they pay.",
    "impersonation": "Member reports a profile using their photos and name.",
    "false_reporting": "A burst of reports against one member from a small group of accounts; "
    "possible coordinated false reporting.",
    "law_enforcement_request": "Law-enforcement request to preserve and disclose account records.",
    "privacy_request": "Member asks for a copy and deletion of their personal data (GDPR).",
}
SCENARIO_TITLES = {
    "romance_scam_ring": "Reported romance scam",
    "account_takeover": "Suspected account takeover",
    "harassment_campaign": "Coordinated harassment of a member",
    "sextortion": "Sextortion threat",
    "impersonation": "Profile impersonating a member",
    "false_reporting": "Report burst against one member",
    "law_enforcement_request": "Law-enforcement preservation and disclosure request",
    "privacy_request": "Data-subject access and deletion request",
}
# Status each planted case is left in, so the queue shows every stage.
SCENARIO_STAGES = {
    "romance_scam_ring": "investigating",
    "account_takeover": "triaged",
    "harassment_campaign": "investigating",
    "sextortion": "new",
    "impersonation": "triaged",
    "false_reporting": "investigating",
    "law_enforcement_request": "waiting",
    "privacy_request": "new",
}
NOTES = (
    "Checked the linked accounts; see the queries below.",
    "Asked the partner team for payment records; waiting on them.",
    "Messages confirm the pattern described in the reports.",
    "Reviewed login history: nothing unusual beyond the reported window.",
)


@dataclass
class DemoCasesResult:
    scenario_cases: dict[int, str] = field(default_factory=dict)  # scenario index -> case id
    scenario_filed: int = 0  # planted-scenario cases filed by this run
    history_cases: int = 0  # historical cases filed by this run
    skipped: int = 0  # demo cases already in the store
    hunt_clusters: int | None = None  # clusters of the saved hunt (None: not run, see below)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _platform_users(settings: Settings) -> list[int]:
    df = door.read(select(users.c.user_id), action="demo.cases", cfg=settings, whole=True)
    return sorted(int(u) for u in df["user_id"])


def _reporters_of(settings: Settings, user_id: int, limit: int = 8) -> list[int]:
    q = (
        select(reports.c.reporter_id)
        .where(reports.c.reported_user_id == user_id)
        .distinct()
        .order_by(reports.c.reporter_id)
        .limit(limit)
    )
    df = door.read(q, action="demo.cases", subjects=[user_id], cfg=settings)
    return [int(r) for r in df["reporter_id"]]


def scenario_people(scenario: dict) -> tuple[list[int], list[object]]:
    """(subjects, reporters) of a planted scenario.

    The subject of a false-reporting case is the member targeted by the reports (``target`` in
    the details, else the first user); the other users are the reporters.
    """
    users = [int(u) for u in scenario.get("users", [])]
    details = scenario.get("details") or {}
    kind = scenario["kind"]
    if kind == "false_reporting":
        target = (
            details.get("target") or details.get("target_user_id") or (users[0] if users else None)
        )
        subjects = [int(target)] if target is not None else []
        reps = details.get("reporters") or [u for u in users if u not in subjects]
        return subjects, [int(r) for r in reps]
    front = details.get("frontline_report") or {}
    if kind == "romance_scam_ring" and front.get("reported_user_id"):
        # frontline sends one reported member and who reported them, not the whole ring
        return [int(front["reported_user_id"])], [int(front["reporter"])]
    victims = details.get("victims") or details.get("victim") or []
    victims = [int(v) for v in (victims if isinstance(victims, list) else [victims])]
    if kind in ("privacy_request", "law_enforcement_request", "account_takeover"):
        return users[:20], []  # the member concerned / the account named in the request
    subjects = [u for u in users if u not in victims][:20] or users[:20]
    reporters = [int(r) for r in details.get("reporters") or victims if int(r) not in subjects]
    return subjects, reporters[:20]


def _needs_reporters(kind: str, subjects: list[int], reporters: list[object]) -> bool:
    """A scenario with no reporters of its own is filed with the platform's reporters of its
    first subject (requests from outside have none)."""
    return (
        not reporters
        and bool(subjects)
        and kind not in ("privacy_request", "law_enforcement_request")
    )


def _scenario_reporters(settings: Settings, truth: dict) -> dict[int, list[int]]:
    """The platform's reporters of each scenario subject that needs them. Read before the
    case store's write transaction: each read's audit record is written to that store."""
    found: dict[int, list[int]] = {}
    for sc in truth.get("scenarios", []):
        subjects, reporters = scenario_people(sc)
        if _needs_reporters(sc["kind"], subjects, reporters) and subjects[0] not in found:
            found[subjects[0]] = _reporters_of(settings, subjects[0])
    return found


def _file_scenarios(
    s,
    found: dict[int, list[int]],
    truth: dict,
    anchor: datetime,
    have: set[str],
    result: DemoCasesResult,
    rng: random.Random,
) -> None:
    tax = taxonomy()
    for i, sc in enumerate(truth.get("scenarios", [])):
        kind = sc["kind"]
        ext = f"DEMO-SCN-{i:03d}-{kind}"
        if ext in have:
            result.skipped += 1
            continue
        category = tax.scenario_categories.get(kind)
        if category is None:
            continue
        subjects, reporters = scenario_people(sc)
        if _needs_reporters(kind, subjects, reporters):
            reporters = [r for r in found[subjects[0]] if r not in subjects]
        details = sc.get("details") or {}
        custom = {"scenario": kind}
        custom.update(
            {
                k: details[k]
                for k in ("request_id", "agency", "case_ref", "request_type", "regulation")
                if k in details
            }
        )
        if kind == "law_enforcement_request":
            reporters = [
                f"{details.get('agency', 'law enforcement')} {details.get('request_id', i)}"
            ]
        summary = SCENARIO_SUMMARIES.get(kind)
        front = details.get("frontline_report") or {}
        if front.get("text"):
            summary = f"A member reported a match for a scam: “{front['text']}”"
        created = anchor - timedelta(hours=6 + 5 * i + rng.randint(0, 30))
        if details.get("received_at"):  # requests: the clocks start at receipt
            created = min(parse_timestamp(details["received_at"]), anchor - timedelta(hours=2))
        source = {
            "law_enforcement_request": "legal",
            "privacy_request": "support",
            "false_reporting": "moderation",
        }.get(kind, "trust_safety")
        case = cases.create(
            category=category,
            title=SCENARIO_TITLES.get(kind),
            source=source,
            summary=summary,
            subjects=subjects,
            reporters=reporters,
            tags=["demo", "planted"],
            external_id=ext,
            custom=custom,
            who="frontline.bot",
            at=created,
            session=s,
        )
        result.scenario_cases[i] = case.case_id
        result.scenario_filed += 1
        stage = SCENARIO_STAGES.get(kind, "new")
        path = ["triaged", "investigating", "waiting"]
        t = created
        analyst = ANALYSTS[i % len(ANALYSTS)]
        if stage != "new":
            t += timedelta(minutes=20 + rng.randint(0, 90))
            cases.claim(case.case_id, who=analyst, at=t, session=s)
        for st in path[: path.index(stage) + 1] if stage in path else []:
            t += timedelta(minutes=5 + rng.randint(0, 60))
            cases.set_status(case.case_id, st, who=analyst, at=t, session=s)
        if stage in ("investigating", "waiting"):
            notes.add_note(
                case.case_id,
                "Opened the investigation notebook; first queries run.",
                author=analyst,
                at=t + timedelta(minutes=2),
                session=s,
            )


def _history_plan(rng: random.Random, users: list[int], anchor: datetime, n: int) -> list[dict]:
    plans = []
    for k in range(n):
        category = _pick(rng, CATEGORY_WEIGHTS)
        created = anchor - timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86400))
        nsub = 1 if rng.random() < 0.8 else rng.randint(2, 3)
        subjects = rng.sample(users, nsub)
        reporters = [u for u in rng.sample(users, rng.randint(0, 3)) if u not in subjects]
        if category in ("legal_request", "privacy_request"):
            reporters = []
        plans.append(
            {
                "k": k,
                "category": category,
                "created": created,
                "subjects": subjects,
                "reporters": reporters,
                "source": _pick(rng, SOURCE_WEIGHTS),
                "bump": rng.random(),
                "seed": rng.randrange(2**31),
            }
        )
    plans.sort(key=lambda p: (p["created"], p["k"]))
    return plans


def _file_history(s, plan: dict, anchor: datetime, have: set[str], result: DemoCasesResult) -> None:
    ext = f"DEMO-HIST-{plan['k']:06d}"
    if ext in have:
        result.skipped += 1
        return
    rng = random.Random(plan["seed"])
    tax = taxonomy()

    category = plan["category"]
    cat = tax.categories[category]
    priority = cat.default_priority
    if plan["bump"] < 0.15:
        priority = f"P{min(3, int(priority[1]) + 1)}"
    elif plan["bump"] > 0.93:
        priority = f"P{max(0, int(priority[1]) - 1)}"
    targets = sla_policy().targets(category, priority)
    created = plan["created"]
    case = cases.create(
        category=category,
        priority=priority,
        source=plan["source"],
        title=f"{cat.title}: report {plan['k'] + 1}",
        summary=f"Historical {cat.title.lower()} case (demo).",
        subjects=plan["subjects"],
        reporters=plan["reporters"],
        tags=["demo"],
        external_id=ext,
        who="frontline.bot",
        at=created,
        session=s,
    )
    result.history_cases += 1
    cid = case.case_id
    analyst = rng.choice(ANALYSTS)

    def step(delta: timedelta) -> datetime | None:
        nonlocal t
        t = t + delta
        return t if t < anchor else None

    t = created
    # ~12 % of first responses breach their target.
    if (
        step(
            targets.first_response
            * (rng.uniform(0.05, 0.8) if rng.random() < 0.88 else rng.uniform(1.05, 2.0))
        )
        is None
    ):
        return
    if rng.random() < 0.2:  # a lead assigns; otherwise the analyst claims
        cases.assign(cid, analyst, who="lead.kim", at=t, session=s)
    else:
        cases.claim(cid, who=analyst, at=t, session=s)
    for st in ("triaged", "investigating"):
        if step(timedelta(minutes=rng.randint(2, 120))) is None:
            return
        cases.set_status(cid, st, who=analyst, at=t, session=s)
    work = targets.resolution * (
        rng.uniform(0.1, 0.85) if rng.random() < 0.85 else rng.uniform(1.05, 1.6)
    )
    if rng.random() < 0.3:  # waits on a partner; the clock pauses
        if step(work * 0.3) is None:
            return
        cases.set_status(cid, "waiting", who=analyst, at=t, session=s)
        if step(timedelta(hours=rng.uniform(2, 96))) is None:
            return
        cases.set_status(cid, "investigating", who=analyst, at=t, session=s)
        work = work * 0.7
    if rng.random() < 0.5:
        if step(work * 0.3) is None:
            return
        notes.add_note(cid, rng.choice(NOTES), author=analyst, at=t, session=s)
        work = work * 0.7
    if step(work) is None:
        return
    outcome = _pick(rng, OUTCOMES[category])
    clauses = rng.sample(list(cat.clauses), 1 if len(cat.clauses) == 1 or rng.random() < 0.7 else 2)
    decisions.decide(
        cid,
        clauses=clauses,
        action=outcome,
        rationale=RATIONALES[outcome],
        who=analyst,
        at=t,
        session=s,
    )
    if step(timedelta(hours=rng.uniform(0.5, 48))) is None:
        return
    cases.set_status(cid, "closed", who=analyst, at=t, session=s)
    if rng.random() < 0.04:  # an appeal or new evidence reopens it
        if step(timedelta(days=rng.uniform(1, 10))) is None:
            return
        cases.set_status(
            cid,
            "investigating",
            reason="Appeal with new evidence from the member.",
            who=analyst,
            at=t,
            session=s,
        )
        if step(timedelta(hours=rng.uniform(2, 48))) is None:
            return
        final = "no_violation" if rng.random() < 0.5 else outcome
        decisions.decide(
            cid,
            clauses=clauses,
            action=final,
            rationale="Re-decided after the appeal: " + RATIONALES[final],
            who=analyst,
            at=t,
            session=s,
        )
        if step(timedelta(hours=rng.uniform(0.5, 12))) is None:
            return
        cases.set_status(cid, "closed", who=analyst, at=t, session=s)


def file_demo_cases(
    settings: Settings | None = None,
    n_history: int = 300,
    seed: int = 7,
    *,
    batch: int = 250,
    progress: bool = False,
) -> DemoCasesResult:
    """File the demo cases into the case store of ``settings`` (see the module doc)."""
    settings = settings or current_settings()
    truth_file = settings.home / "ground_truth.json"
    if not truth_file.is_file():
        raise NotFoundError(f"no {truth_file}", "run `workbench demo generate` first")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    anchor = parse_timestamp(truth["anchor"]).astimezone(UTC)
    rng = random.Random(seed)
    users = _platform_users(settings)
    result = DemoCasesResult()
    with store_session(settings) as s:
        have = set(s.scalars(select(CaseRow.external_id).where(CaseRow.external_id.like("DEMO-%"))))
    plans = _history_plan(rng, users, anchor, n_history)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(plans), unit="case", desc="demo cases")
    for i in range(0, len(plans), batch):
        with store_session(settings) as s:
            for plan in plans[i : i + batch]:
                _file_history(s, plan, anchor, have, result)
        if bar:
            bar.update(len(plans[i : i + batch]))
    if bar:
        bar.close()
    found = _scenario_reporters(settings, truth)
    with store_session(settings) as s:  # the current queue comes last: the newest ids
        _file_scenarios(s, found, truth, anchor, have, result, random.Random(seed + 1))
    with store_session(settings) as s:  # include those filed by an earlier run
        for ext, cid in s.execute(
            select(CaseRow.external_id, CaseRow.case_id).where(
                CaseRow.external_id.like("DEMO-SCN-%")
            )
        ):
            result.scenario_cases[int(ext.split("-")[2])] = cid
    _hunt_and_mark(settings, result, anchor)
    return result


def _hunt_and_mark(settings: Settings, result: DemoCasesResult, anchor: datetime) -> None:
    """Mark coordinated reporting on the planted cases, as the intake would, and save a hunt
    for the views: both are audited queries, which run on the settings in force, so only when
    those are ``settings``."""
    from workbench.hunt import coordinated, sweep

    here = current_settings()
    if (here.home, here.data_url, here.cases_url) != (
        settings.home,
        settings.data_url,
        settings.cases_url,
    ):
        return
    for case_id in sorted(result.scenario_cases.values()):
        coordinated.mark_case(case_id)
    hunt = sweep.rings(as_of=anchor)
    hunt.save(settings.home)
    result.hunt_clusters = len(hunt.clusters)
