"""A case's queries over all of its subjects, and the accounts linked to them.

A ring case names six members; its notebook must show the messages, payments and reports of all
six, not of the first. A case may also start from one reported member, the rest of a ring being
found through shared devices, IPs, payment instruments and photos: :func:`linked_candidates`
lists those accounts once each (with which subjects they were reached from) and
:func:`add_found_subjects` makes the chosen ones subjects of the case (logged like any change;
the case's widgets hear of it through :mod:`workbench.events`).

Every query runs through the audited door (:func:`workbench.queries.run.query`) against the
case, once per subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from workbench.cases import lifecycle
from workbench.cases.model import Case
from workbench.errors import InputError
from workbench.ids import check_user_id
from workbench.queries import library
from workbench.queries.run import query

SUBJECT = "subject_id"


def _subjects(case: Case, subjects: Iterable[object] | None) -> list[int]:
    if subjects is None:
        return list(case.subjects)
    wanted = [check_user_id(u) for u in subjects]
    strangers = [u for u in wanted if u not in case.subjects]
    if strangers:
        raise InputError(
            f"user {strangers[0]} is not a subject of {case.case_id}",
            "add them as a subject first (linked accounts: add_found_subjects)",
        )
    return wanted


def subject_parameter(name: str) -> str:
    """The parameter of library query ``name`` that takes the subject (``user_id`` mostly)."""
    q = library.get(name)
    for candidate in ("user_id", "user_a"):
        if any(p.name == candidate for p in q.params):
            return candidate
    raise InputError(
        f"query {name!r} does not take a user",
        "run it with wb.query; per-subject queries take user_id",
    )


def for_subjects(
    name: str,
    case_id: str,
    subjects: Iterable[object] | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Library query ``name`` run for each subject of the case (or for ``subjects``, which
    must be subjects of it), as one frame with a leading ``subject_id`` column.

    The frame's provenance names the query, the case, the subjects and each run's own
    provenance, so it can be collected as evidence like a single result.
    """
    case = lifecycle.get(case_id)
    who = _subjects(case, subjects)
    param = subject_parameter(name)
    frames, runs = [], []
    columns: list[str] | None = None
    for uid in who:
        df = query(name, case=case.case_id, **{param: uid}, **params)
        runs.append(df.attrs.get("provenance", {}))
        columns = columns or [str(c) for c in df.columns]
        if len(df):
            frames.append(df.assign(**{SUBJECT: uid}))
    if frames:
        out = pd.concat(frames, ignore_index=True)
    else:
        out = pd.DataFrame(columns=[SUBJECT] + (columns or []))
    out = out[[SUBJECT] + [c for c in out.columns if c != SUBJECT]]
    out.attrs = {
        "provenance": {
            "query": name,
            "kind": "library",
            "case": case.case_id,
            "params": {**{k: str(v) for k, v in params.items()}, param: who},
            "per_subject": runs,
            "row_count": int(len(out)),
        }
    }
    return out


LINKED_COLUMNS = [
    "linked_user_id",
    "hops",
    "via",
    "reasons",
    "shared_identifiers",
    "shared_values",
]


def linked_candidates(
    case_id: str, *, max_hops: int = 2, subjects: Sequence[object] | None = None
) -> pd.DataFrame:
    """Accounts linked to the case's subjects and not subjects yet, once each: the fewest hops
    from any subject, ``via`` (the subjects they were reached from), the union of the reasons,
    the most shared identifiers, and the shared values. Nearest first."""
    found = for_subjects("linked_accounts", case_id, subjects, max_hops=max_hops)
    case = lifecycle.get(case_id)
    found = found[~found["linked_user_id"].isin(list(case.subjects))]
    if found.empty:
        out = pd.DataFrame(columns=LINKED_COLUMNS)
    else:

        def union(values: Iterable[object]) -> str:
            seen: dict[str, None] = {}
            for v in values:
                for part in str(v or "").split(","):
                    if part.strip():
                        seen.setdefault(part.strip(), None)
            return ", ".join(seen)

        g = found.groupby("linked_user_id", sort=False)
        out = pd.DataFrame(
            {
                "hops": g["hops"].min().astype(int),
                "via": g[SUBJECT].agg(lambda s: ", ".join(str(int(u)) for u in dict.fromkeys(s))),
                "reasons": g["reasons"].agg(union),
                "shared_identifiers": g["shared_identifiers"].max().astype(int),
                "shared_values": g["shared_values"].agg(union),
            }
        ).reset_index()
        out = out.sort_values(
            ["hops", "shared_identifiers", "linked_user_id"],
            ascending=[True, False, True],
            ignore_index=True,
        )[LINKED_COLUMNS]
    out.attrs = found.attrs
    return out


def add_found_subjects(
    case_id: str, user_ids: Sequence[object], *, expected_version: int | None = None
) -> Case:
    """Make linked accounts the specialist chose subjects of the case (logged; refused if the
    case changed since ``expected_version``)."""
    ids = [check_user_id(u) for u in user_ids]
    if not ids:
        raise InputError("no accounts chosen", "select linked accounts first")
    return lifecycle.add_subjects(case_id, ids, expected_version=expected_version)
