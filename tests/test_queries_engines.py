"""Every library query gives the same result on DuckDB and on a real PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from test_queries import EVER, _false_reporting_roles, scenario

import workbench as wb
from workbench import config
from workbench.platform.engine import dispose_all

END = "2100-01-01T00:00:00Z"


def _norm(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes, pd.Timestamp)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return round(float(v), 6)
    if isinstance(v, datetime):
        return v.astimezone(UTC).isoformat() if v.tzinfo else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _rows(df: pd.DataFrame) -> list[tuple]:
    rows = [tuple(_norm(v) for v in r) for r in df.itertuples(index=False, name=None)]
    return sorted(rows, key=repr)


def _cases(ground_truth: dict, duck) -> dict[str, list[dict]]:
    """Parameters for each query: planted subjects and an ordinary user, whole history."""
    ring = scenario(ground_truth, "romance_scam_ring")["users"]
    victim = scenario(ground_truth, "account_takeover")["users"][0]
    target, reporters = _false_reporting_roles(scenario(ground_truth, "false_reporting"))
    busy = int(
        duck(
            "SELECT sender_id FROM messages GROUP BY sender_id "
            "ORDER BY count(*) DESC, sender_id LIMIT 1"
        ).iloc[0, 0]
    )
    pair = duck("SELECT sender_id, recipient_id FROM messages ORDER BY message_id LIMIT 1").iloc[0]
    payer = int(duck("SELECT user_id FROM payments ORDER BY payment_id LIMIT 1").iloc[0, 0])
    moderated = int(
        duck("SELECT user_id FROM moderation_actions ORDER BY action_id LIMIT 1").iloc[0, 0]
    )
    appellant = duck("SELECT user_id FROM appeals ORDER BY appeal_id LIMIT 1")
    appellant = int(appellant.iloc[0, 0]) if len(appellant) else moderated
    changer = int(duck("SELECT user_id FROM account_changes ORDER BY change_id LIMIT 1").iloc[0, 0])
    window = {"start": EVER, "end": END}
    subjects = sorted({ring[0], victim, target, busy, payer, moderated, appellant, changer})
    per_user = [{"user_id": u, **window} for u in subjects]
    body = duck("SELECT body FROM messages ORDER BY message_id LIMIT 1").iloc[0, 0]
    return {
        "user_overview": [{"user_id": u} for u in subjects],
        "messages_by_user": per_user,
        "conversation": [{"user_a": int(pair.iloc[0]), "user_b": int(pair.iloc[1]), **window}],
        "reports_against_user": per_user,
        "reports_by_reporter": [{"user_id": r, **window} for r in reporters[:3]],
        "logins_by_user": per_user,
        "account_changes": per_user,
        "linked_accounts": [{"user_id": u} for u in (ring[0], ring[-1], busy)],
        "reporter_network": [{"user_id": target, **window}],
        "payments_by_user": per_user,
        "moderation_history": per_user,
        "appeals_by_user": per_user,
        "hunt_links": [{}],
        "hunt_members": [{"user_ids": subjects + ring}],
        "money_asked": [{"user_ids": ring, **window}],
        "reports_filed_by": [{"user_ids": reporters + ring}],
        "keyword_search": [
            {"terms": [body.split()[0][:4], "こんにちは", "สวัสดี"], **window, "limit": 100000}
        ],
    }


@pytest.mark.postgres
def test_every_library_query_agrees_on_duckdb_and_postgres(
    wb_env, pg_platform_url, monkeypatch, ground_truth
):
    duck_sql = lambda q: wb.sql(q)  # noqa: E731
    cases = _cases(ground_truth, duck_sql)
    names = [q.name for q in wb.queries.list()]
    results: dict[str, list] = {}
    for name in names:
        params_list = cases.get(name) or [{"user_id": p["user_id"]} for p in cases["user_overview"]]
        results[name] = [(p, wb.query(name, **p)) for p in params_list]
    nonempty = {n for n, rs in results.items() if any(len(df) for _, df in rs)}
    assert set(cases) - {"appeals_by_user", "account_changes"} <= nonempty, sorted(
        set(cases) - nonempty
    )

    monkeypatch.setenv(config.ENV_DATA_URL, pg_platform_url)
    dispose_all()
    config.settings(reload=True)
    try:
        for name, runs in results.items():
            for params, duck in runs:
                pg = wb.query(name, **params)
                assert pg.attrs["provenance"]["engine"].startswith("postgresql")
                assert list(pg.columns) == list(duck.columns), name
                assert _rows(pg) == _rows(duck), (name, params)
    finally:
        dispose_all()
