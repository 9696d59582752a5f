"""Timeline: merged events, time zones and DST, density/detail switch, annotations, export.

Most tests run on a small hand-made platform (``tl_env``) whose events sit exactly on DST
switches, so expected values are known; the scenario tests read the demo's ground truth.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from conftest import dispose_engines, fresh_home

UTC = UTC
SUBJECT, OTHER, THIRD = 100, 200, 300
BUSY_DAY = datetime(2026, 6, 1, tzinfo=UTC)
BUSY_MESSAGES = 300  # one every 4 minutes on BUSY_DAY, alternating direction


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _make_platform(path: Path) -> None:
    """A platform file with a few events placed on DST switches and a busy day."""
    import duckdb
    from sqlalchemy.dialects import postgresql

    from workbench.platform.schema import TABLES

    dialect = postgresql.dialect()
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone='UTC'")
    for table in TABLES:
        cols = ", ".join(f"{c.name} {c.type.compile(dialect=dialect)}" for c in table.columns)
        con.execute(f"CREATE TABLE {table.name} ({cols})")
    created = "2025-01-01T00:00:00+00:00"
    for uid in (SUBJECT, OTHER, THIRD):
        con.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, NULL, 'DE', 'de', ?, 'active', false)",
            [uid, f"h{uid}", f"User {uid}", f"u{uid}@example.test", created],
        )
    logins = [  # Berlin: clocks go forward at 2026-03-29 01:00 UTC
        (1, "2026-03-29T00:30:00+00:00", "DE", "dev-a", True),
        (2, "2026-03-29T01:30:00+00:00", "DE", "dev-a", True),
        (3, "2026-05-10T08:00:00+00:00", "BR", "dev-b", True),  # new country and device
    ]
    for lid, ts, country, dev, ok in logins:
        con.execute(
            "INSERT INTO logins VALUES (?, ?, ?, '10.0.0.1', ?, ?, 'X', 'ua', ?)",
            [lid, SUBJECT, ts, dev, country, ok],
        )
    con.execute(
        "INSERT INTO account_changes VALUES (1, ?, '2026-05-10T08:05:00+00:00', 'email', "
        "'old@example.test', 'new@example.test', '10.0.0.2', 'dev-b')",
        [SUBJECT],
    )
    msgs = [  # New York: clocks go back at 2026-11-01 06:00 UTC (01:30 happens twice)
        (1, SUBJECT, OTHER, "2026-11-01T05:30:00+00:00", "before the switch"),
        (2, OTHER, SUBJECT, "2026-11-01T06:30:00+00:00", "after the switch"),
        (3, SUBJECT, THIRD, "2026-03-29T00:59:59+00:00", "last CET second"),
    ]
    for mid, snd, rcp, ts, body in msgs:
        con.execute(
            "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, false)", [mid, 1, snd, rcp, ts, body]
        )
    for i in range(BUSY_MESSAGES):
        snd, rcp = (SUBJECT, OTHER) if i % 2 == 0 else (OTHER, SUBJECT)
        ts = BUSY_DAY + timedelta(minutes=4 * i)
        con.execute(
            "INSERT INTO messages VALUES (?, 2, ?, ?, ?, ?, ?)",
            [1000 + i, snd, rcp, ts, f"busy {i}", i % 50 == 0],
        )
    con.execute(
        "INSERT INTO payments VALUES (1, ?, '2026-05-11T10:00:00+00:00', 49.99, 'EUR', "
        "'fp1', 'card', 'boost', 'chargeback')",
        [SUBJECT],
    )
    con.execute(
        "INSERT INTO reports VALUES (1, ?, ?, NULL, 'harassment', 'confidential text', "
        "'2026-05-12T09:00:00+00:00')",
        [OTHER, SUBJECT],
    )
    con.execute(
        "INSERT INTO moderation_actions VALUES (1, ?, '2026-05-13T09:00:00+00:00', 'warning', "
        "'harassment.1', 'first warning', 'mod7', NULL, NULL)",
        [SUBJECT],
    )
    con.execute(
        "INSERT INTO appeals VALUES (1, ?, 1, '2026-05-14T09:00:00+00:00', 'not me', 'pending', "
        "NULL)",
        [SUBJECT],
    )
    con.execute("CHECKPOINT")
    con.close()


TOTAL_EVENTS = 3 + 1 + 3 + BUSY_MESSAGES + 4  # for SUBJECT


@pytest.fixture(scope="session")
def tl_platform(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tl_platform")
    _make_platform(folder / "platform.duckdb")
    return folder / "platform.duckdb"


@pytest.fixture
def tl_env(tl_platform, tmp_path, monkeypatch):
    """A fresh home over the small DST platform with an empty case store."""
    with fresh_home(
        monkeypatch, tmp_path / "home", links={"platform.duckdb": tl_platform}
    ) as settings:
        yield settings


@pytest.fixture
def case_id(tl_env) -> str:
    from workbench import cases

    c = cases.create(
        category="account_takeover",
        subjects=[SUBJECT],
        summary="timeline test",
        at="2026-05-10T09:00:00+00:00",
    )
    cases.claim(c.case_id, at="2026-05-10T09:30:00+00:00")
    return c.case_id


# --- events --------------------------------------------------------------------------------


def test_events_merge_every_source_in_time_order(tl_env):
    from workbench import timeline

    df = timeline.events(subjects=[SUBJECT])
    assert list(df.columns) == timeline.COLUMNS
    assert str(df["ts"].dt.tz) == "UTC"
    assert len(df) == TOTAL_EVENTS
    assert df["ts"].is_monotonic_increasing
    assert set(df["source"]) == {
        "messages",
        "logins",
        "account_changes",
        "payments",
        "reports",
        "moderation",
        "appeals",
    }
    assert df["ref"].is_unique
    # The planted takeover: new country + device login, then the email change.
    login = df[df["ref"] == "logins:3"].iloc[0]
    assert login["kind"] == "login_new_country" and login["severity"] == "high"
    assert df[df["ref"] == "account_changes:1"].iloc[0]["kind"] == "change_email"
    # The reporter stays confidential on the timeline.
    report = df[df["source"] == "reports"].iloc[0]
    assert pd.isna(report["actor"]) and str(OTHER) not in str(report["summary"])
    # Went through the guarded, audited path.
    assert df.attrs["provenance"]


def test_filters_sources_kinds_text_window(tl_env):
    from workbench import timeline

    only = timeline.events(subjects=SUBJECT, sources=["logins", "payments"])
    assert set(only["source"]) == {"logins", "payments"} and len(only) == 4
    kinds = timeline.events(subjects=SUBJECT, kinds=["change_email", "payment_chargeback"])
    assert sorted(kinds["kind"]) == ["change_email", "payment_chargeback"]
    text = timeline.events(subjects=SUBJECT, text="AFTER THE")
    assert list(text["ref"]) == ["messages:2"]
    window = timeline.events(subjects=SUBJECT, start=BUSY_DAY, end=BUSY_DAY + timedelta(hours=1))
    assert len(window) == 15 and window["ts"].min() >= BUSY_DAY
    other = timeline.events(subjects=[OTHER], sources=["messages"])
    assert set(other["subject"]) == {OTHER}
    both = timeline.events(
        subjects=[SUBJECT, OTHER],
        sources=["messages"],
        start=BUSY_DAY,
        end=BUSY_DAY + timedelta(hours=1),
    )
    assert len(both) == 30 and set(both["subject"]) == {SUBJECT, OTHER}  # once per subject


def test_bad_input_is_one_line(tl_env):
    from workbench import timeline
    from workbench.errors import InputError

    with pytest.raises(InputError, match="unknown timeline source"):
        timeline.events(subjects=SUBJECT, sources=["nope"])
    with pytest.raises(InputError, match="is not a timestamp"):
        timeline.events(subjects=SUBJECT, start="yesterday-ish")
    with pytest.raises(InputError, match="before it starts"):
        timeline.events(subjects=SUBJECT, start="2026-05-02T00:00:00Z", end="2026-05-01T00:00:00Z")
    with pytest.raises(InputError, match="no subjects"):
        timeline.events()
    with pytest.raises(InputError, match="not a known time zone"):
        timeline.zone("Europe/Atlantis")
    with pytest.raises(InputError, match="not a case id"):
        timeline.events(case="../etc")


# --- time zones ------------------------------------------------------------------------------


def test_berlin_spring_forward(tl_env):
    from workbench import timeline
    from workbench.timeline import figures as timeline_figures

    df = timeline.with_display_time(
        timeline.events(
            subjects=SUBJECT,
            sources=["logins", "messages"],
            start="2026-03-28T00:00:00Z",
            end="2026-03-30T00:00:00Z",
        ),
        "Europe/Berlin",
    )
    shown = {r: t.isoformat() for r, t in zip(df["ref"], df["ts_display"])}
    assert shown == {
        "logins:1": "2026-03-29T01:30:00+01:00",
        "messages:3": "2026-03-29T01:59:59+01:00",
        "logins:2": "2026-03-29T03:30:00+02:00",
    }
    tz = ZoneInfo("Europe/Berlin")
    axis = timeline_figures.to_axis(df["ts"], tz)
    assert [str(x) for x in axis] == [
        "2026-03-29 01:30:00",
        "2026-03-29 01:59:59",
        "2026-03-29 03:30:00",
    ]
    # 02:30 does not exist in Berlin that night: it moves forward, never back.
    assert timeline_figures.axis_to_utc("2026-03-29 02:30", tz) == _ts("2026-03-29T01:00:00+00:00")
    assert timeline_figures.axis_to_utc("2026-03-29 03:30", tz) == _ts("2026-03-29T01:30:00+00:00")


def test_new_york_fall_back_keeps_order_and_offsets(tl_env):
    from workbench import timeline
    from workbench.timeline import figures as timeline_figures

    v = timeline.view(
        subjects=SUBJECT,
        start="2026-10-31T00:00:00Z",
        end="2026-11-02T00:00:00Z",
        tz="America/New_York",
    )
    assert v.mode == "events"
    assert list(v.events["ref"]) == ["messages:1", "messages:2"]
    fig = timeline_figures.figure(v)
    assert "America/New_York" in fig.layout.xaxis.title.text
    hover = [row[0] for tr in fig.data if tr.customdata is not None for row in tr.customdata]
    # Both read 01:30 on the wall clock; the offset in the hover tells them apart.
    assert sorted(hover) == [
        "2026-11-01 01:30:00 EDT (UTC-0400) America/New_York",
        "2026-11-01 01:30:00 EST (UTC-0500) America/New_York",
    ]
    # The switch is marked on the figure.
    assert any("clocks back 1 h" in (a.text or "") for a in fig.layout.annotations)
    # Drawn on a true-duration axis labelled in New York time: the hour between the two
    # messages is not folded away, and both 01:00s are ticks.
    assert fig.layout.meta["timeline"]["axis"] == "instant"
    xs = sorted(
        str(pd.Timestamp(x))
        for tr in fig.data
        if (tr.meta or {}).get("role") == "events"
        for x in tr.x
    )
    assert xs == ["2026-11-01 05:30:00", "2026-11-01 06:30:00"]
    tz = ZoneInfo("America/New_York")
    labels = [t.split("<br>")[0] for t in fig.layout.xaxis.ticktext]
    assert labels[:5] == ["00:00 EDT", "06:00 EDT", "12:00 EDT", "18:00 EDT", "00:00 EDT"]
    assert labels[5:] == ["06:00 EST", "12:00 EST", "18:00 EST"]  # round wall-clock hours
    vals, texts = timeline_figures.local_ticks(
        _ts("2026-11-01T04:00:00+00:00"), _ts("2026-11-01T10:00:00+00:00"), tz
    )
    assert texts[0].startswith("00:00 EDT") and [t.split("<br>")[0] for t in texts[1:]] == [
        "01:00 EDT",
        "01:00 EST",
        "02:00 EST",
        "03:00 EST",
        "04:00 EST",
        "05:00 EST",
    ]
    assert [str(x) for x in vals][1:3] == ["2026-11-01 05:00:00", "2026-11-01 06:00:00"]
    _, spring = timeline_figures.local_ticks(
        _ts("2026-03-29T00:00:00+00:00"),
        _ts("2026-03-29T06:00:00+00:00"),
        ZoneInfo("Europe/Berlin"),
    )
    assert [t.split("<br>")[0] for t in spring] == [
        "01:00 CET",
        "03:00 CEST",
        "04:00 CEST",
        "05:00 CEST",
        "06:00 CEST",
        "07:00 CEST",
        "08:00 CEST",
    ]  # 02:00 never happened
    # The repeated hour maps to the earlier instant; UTC-aware values pass through.
    assert timeline_figures.axis_to_utc("2026-11-01 01:30", tz) == _ts("2026-11-01T05:30:00+00:00")
    assert timeline_figures.axis_to_utc("2026-11-01T06:30:00+00:00", tz) == _ts(
        "2026-11-01T06:30:00+00:00"
    )


def test_zoneless_input_is_utc_and_said_so(tl_env):
    from workbench import timeline
    from workbench.errors import InputError
    from workbench.times import ZonelessTimestamp

    with pytest.warns(ZonelessTimestamp):
        naive = timeline.events(
            subjects=SUBJECT, start="2026-03-29T01:00:00", end="2026-03-29T02:00:00"
        )
    # Treated as UTC (not as the machine's or the display zone's local time).
    assert list(naive["ref"]) == ["logins:2"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        aware = timeline.events(
            subjects=SUBJECT, start="2026-03-29T03:00:00+02:00", end="2026-03-29T04:00:00+02:00"
        )
    assert list(aware["ref"]) == ["logins:2"]
    zoneless = pd.DataFrame({"ts": pd.to_datetime(["2026-01-01 00:00"])})
    with pytest.raises(InputError, match="zone-less"):
        timeline.with_display_time(zoneless, "Europe/Berlin")


# --- density / detail ------------------------------------------------------------------------


def test_density_when_crowded_detail_when_zoomed(tl_env):
    from workbench import timeline
    from workbench.timeline import figures as timeline_figures

    v = timeline.view(subjects=SUBJECT, threshold=50, tz="Europe/Berlin")
    assert v.mode == "density" and v.total == TOTAL_EVENTS
    assert int(v.density["n"].sum()) == TOTAL_EVENTS
    # The counts were computed by the database, through the guard and the audit log.
    prov = v.density.attrs["provenance"]
    assert prov and "GROUP BY" in json.dumps(prov, default=str).upper()
    fig = timeline_figures.figure(v)
    assert [t.type for t in fig.data if (t.meta or {}).get("role") == "density"] == ["heatmap"]
    assert fig.layout.meta["timeline"]["mode"] == "density"
    assert fig.layout.xaxis.rangeslider.visible

    # Zooming to one busy hour re-queries and shows every event.
    z = timeline.zoom(v, BUSY_DAY + timedelta(hours=2), BUSY_DAY + timedelta(hours=3))
    assert z.mode == "events" and len(z.events) == 15 and z.total == 15
    zfig = timeline_figures.figure(z)
    points = sum(len(t.x) for t in zfig.data if (t.meta or {}).get("role") == "events")
    assert points == 15
    # Zooming to a window still over the threshold stays density, with finer bins.
    zd = timeline.zoom(v, BUSY_DAY, BUSY_DAY + timedelta(days=1))
    assert zd.mode == "density" and zd.total == BUSY_MESSAGES and zd.bin_seconds < v.bin_seconds
    # Density counts match the events in a bin.
    busy = timeline.density(
        subjects=SUBJECT,
        sources=["messages"],
        start=BUSY_DAY,
        end=BUSY_DAY + timedelta(days=1),
        bin="1h",
    )
    per_hour = busy.groupby("bin_start")["n"].sum()
    assert len(per_hour) == 20 and set(per_hour) == {15}


def test_density_bins_align_to_local_midnight(tl_env):
    from workbench import timeline

    d = timeline.density(
        subjects=SUBJECT,
        sources=["messages"],
        start="2026-05-31T00:00:00Z",
        end="2026-06-03T00:00:00Z",
        bin="1d",
        tz="Europe/Berlin",
    )
    starts = {t.tz_convert("Europe/Berlin").strftime("%H:%M") for t in d["bin_start"]}
    assert starts == {"00:00"}
    assert int(d["n"].sum()) == BUSY_MESSAGES


def test_new_source_needs_no_figure_change(tl_env):
    from workbench import timeline
    from workbench.timeline import figures as timeline_figures
    from workbench.timeline import sources as reg

    reg.register(
        reg.Source(
            name="media",
            label="Media sent",
            query="messages_by_user",
            ts="sent_at",
            id="message_id",
            kind="'media'",
            actor="sender_id",
            target="recipient_id",
            summary="'{media} message'",
            severity="'low'",
        )
    )
    try:
        df = timeline.events(
            subjects=SUBJECT, sources=["media"], start=BUSY_DAY, end=BUSY_DAY + timedelta(days=1)
        )
        assert set(df["source"]) == {"media"} and len(df) == BUSY_MESSAGES
        assert set(df["summary"]) == {"{media} message"}  # braces in SQL are just text
        fig = timeline_figures.figure(
            timeline.view(subjects=SUBJECT, start=BUSY_DAY, end=BUSY_DAY + timedelta(hours=1))
        )
        assert "Media sent" in list(fig.layout.yaxis.categoryarray)
    finally:
        reg.unregister("media")


# --- annotations ---------------------------------------------------------------------------


def test_annotations_persist_and_filter(tl_env, case_id):
    import workbench.timeline.annotations as ann
    from workbench import config, timeline
    from workbench.timeline import figures as timeline_figures

    df = timeline.events(case=case_id)
    takeover = df[df["ref"].isin(["logins:3", "account_changes:1"])]
    assert ann.star(case_id, takeover) == 2
    ann.tag(case_id, takeover, "takeover")
    ann.comment(case_id, "account_changes:1", "email changed 5 min after the BR login")
    ann.tag(case_id, ["messages:1"], "takeover")
    ann.untag(case_id, ["messages:1"], "takeover")
    ann.unstar(case_id, ["logins:3"])

    dispose_engines()  # a kernel restart: new engines, settings read again
    config.settings(reload=True)
    cur = ann.current(case_id).set_index("ref")
    assert set(cur.index) == {"logins:3", "account_changes:1"}
    assert not cur.loc["logins:3", "starred"] and cur.loc["account_changes:1", "starred"]
    assert cur.loc["account_changes:1", "tags"] == ("takeover",)
    assert cur.loc["account_changes:1", "comments"] == (
        "test.analyst: email changed 5 min after the BR login",
    )
    hist = ann.history(case_id)
    assert len(hist) == 8 and set(hist["who"]) == {"test.analyst"}
    assert list(hist["action"][:2]) == ["star", "star"]
    from workbench.store import audit

    logged = audit.records(case=case_id, action="timeline.annotate")
    assert len(logged) == 6 and audit.verify() is None  # one record per act, chain intact
    assert "email changed" not in " ".join(map(str, logged["details"]))  # no content in the log

    tagged = timeline.events(case=case_id, tags=["takeover"])
    assert list(tagged["ref"]) == ["logins:3", "account_changes:1"]
    starred = timeline.events(case=case_id, starred=True)
    assert list(starred["ref"]) == ["account_changes:1"]
    # Shown on the figure, also in density mode, with the case milestones.
    v = timeline.view(case=case_id, threshold=10)
    fig = timeline_figures.figure(v)
    marked = [t for t in fig.data if (t.meta or {}).get("role") == "annotations"]
    assert marked and {row[8] for row in marked[0].customdata} == {"logins:3", "account_changes:1"}
    texts = [a.text for a in fig.layout.annotations]
    assert "opened" in texts and "claimed" in texts


def test_annotation_input_refused(tl_env, case_id):
    import workbench.timeline.annotations as ann
    from workbench.errors import InputError, NotFoundError

    with pytest.raises(InputError, match="not a timeline event reference"):
        ann.star(case_id, ["messages 1"])
    with pytest.raises(InputError, match="empty"):
        ann.comment(case_id, ["messages:1"], "   ")
    with pytest.raises(InputError, match="no events selected"):
        ann.star(case_id, [])
    with pytest.raises(NotFoundError):
        ann.star("ESC-2026-999999", ["messages:1"])
    assert ann.history(case_id).empty


def test_add_to_evidence(tl_env, case_id):
    import workbench.timeline.annotations as ann
    from workbench import timeline
    from workbench.evidence import items as evidence

    rows = timeline.events(
        case=case_id,
        sources=["logins", "account_changes"],
        start="2026-05-10T00:00:00Z",
        end="2026-05-11T00:00:00Z",
    )
    item = evidence.add_timeline_events(case_id, rows, tz="Europe/Berlin", note="takeover sequence")
    items = evidence.list_items(case_id)
    assert [i.kind for i in items] == ["timeline_excerpt"]
    frame = evidence.load_frame(items[0])
    assert list(frame["ref"]) == ["logins:3", "account_changes:1"]
    assert str(frame["ts_display"].dt.tz) == "Europe/Berlin"
    assert set(ann.current(case_id).query("evidence")["ref"]) == {"logins:3", "account_changes:1"}
    assert item is not None


# --- export --------------------------------------------------------------------------------


def test_export_round_trip_csv_and_parquet(tl_env, case_id, tmp_path):
    from workbench import timeline

    everything = timeline.events(case=case_id)
    csv = timeline.export(tmp_path / "tl.csv", case=case_id, tz="America/New_York", chunk_rows=120)
    pq = timeline.export(
        tmp_path / "tl.parquet", case=case_id, tz="America/New_York", chunk_rows=120
    )
    assert csv.rows == pq.rows == len(everything)  # chunked far below the total, no cap
    a, zone_a = timeline.read_export(csv.path)
    b, zone_b = timeline.read_export(pq.path)
    assert zone_a == zone_b == "America/New_York"
    assert (tmp_path / "tl.csv").read_text().splitlines()[0] == "# display_zone: America/New_York"
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    pd.testing.assert_series_equal(a["ts"], everything["ts"], check_dtype=False, check_names=False)
    assert list(a["ref"]) == list(everything["ref"])
    assert str(b["ts_display"].dt.tz) == "America/New_York"
    assert (b["ts_display"] == b["ts"]).all()  # same instants, shown in the zone
    assert not list(tmp_path.glob("*.part"))


def test_export_refuses_and_leaves_nothing(tl_env, tmp_path, monkeypatch):
    from workbench import timeline
    from workbench.errors import InputError, NotFoundError

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError, match="format"):
        timeline.export(out / "tl.xlsx", subjects=SUBJECT)
    with pytest.raises(NotFoundError):
        timeline.export(out / "missing" / "tl.csv", subjects=SUBJECT)
    with pytest.raises(InputError, match="unknown timeline source"):
        timeline.export(out / "tl.csv", subjects=SUBJECT, sources=["nope"])
    # A failure half-way (here: after the first chunk) leaves no file that looks complete.
    from workbench.timeline import exports as exporting

    real = exporting._chunks

    def failing(req, chunk_rows):
        it = real(req, chunk_rows)
        yield next(it)
        raise OSError("disk full")

    monkeypatch.setattr(exporting, "_chunks", failing)
    for name in ("tl.csv", "tl.parquet"):
        with pytest.raises(OSError):
            timeline.export(out / name, subjects=SUBJECT, chunk_rows=20)
    assert list(out.iterdir()) == []


def test_cli_export_and_errors(tl_env, tmp_path, capsys):
    from workbench import timeline
    from workbench.cli import main

    out = tmp_path / "cli.parquet"
    rc = main(
        [
            "timeline",
            "--subject",
            str(SUBJECT),
            "--export",
            str(out),
            "--format",
            "parquet",
            "--tz",
            "Europe/Berlin",
        ]
    )
    said = capsys.readouterr()
    assert rc == 0, said.err
    assert f"wrote {TOTAL_EVENTS:,} events" in said.out and "Europe/Berlin" in said.out
    df, zone_name = timeline.read_export(out)
    assert len(df) == TOTAL_EVENTS and zone_name == "Europe/Berlin"

    assert main(["timeline", "--subject", str(SUBJECT), "--tz", "Mars/Olympus"]) != 0
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "time zone" in err
    assert main(["timeline"]) != 0 and "--subject" in capsys.readouterr().err

    assert main(["timeline", "--subject", str(SUBJECT), "--source", "logins"]) == 0
    summary = capsys.readouterr().out
    assert "login_new_country" in summary and "Europe" not in summary  # default zone: UTC
    assert "10.0.0.1" not in summary  # no event content on the terminal


def test_cli_runs_as_a_command(tl_env, tmp_path):
    out = tmp_path / "cli.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "timeline",
            "--subject",
            str(SUBJECT),
            "--export",
            str(out),
            "--tz",
            "America/New_York",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("# display_zone: America/New_York\n")


# --- widget --------------------------------------------------------------------------------


def test_widget_zoom_select_annotate(tl_env, case_id):
    import workbench.timeline.annotations as ann
    from workbench.widgets.timeline_view import TimelineView

    w = TimelineView(case=case_id, threshold=50, tz="Europe/Berlin")
    assert w.view.mode == "density"
    assert "Europe/Berlin" in w.figure.layout.xaxis.title.text
    # A relayout from the browser: wall-clock values in the display zone.
    w.figure.layout.xaxis.range = ["2026-05-10 09:00", "2026-05-10 12:00"]
    assert w.view.mode == "events"
    assert set(w.view.events["ref"]) >= {"logins:3", "account_changes:1"}
    w.select(["logins:3", "account_changes:1"])
    assert not w.b_star.disabled
    w.star()
    w.tag("takeover")
    assert set(ann.refs_with(case_id, tags=["takeover"], starred=True)) == {
        "logins:3",
        "account_changes:1",
    }
    w.w_sources.value = ("logins",)
    w.apply()
    assert set(w.view.events["source"]) <= {"logins", "case", "notes"}
    # Zooming keeps working after the figure was redrawn (callbacks re-attached), as the
    # browser sends it; double-click (autorange) goes back to the whole range.
    w.w_sources.value = tuple(w.w_sources.options[i][1] for i in range(len(w.w_sources.options)))
    w.apply()
    w.figure.plotly_relayout(
        {"xaxis.range[0]": "2026-06-01 04:00", "xaxis.range[1]": "2026-06-01 05:00"}
    )
    assert w.view.mode == "events" and w.view.total == 15  # Berlin 04:00-05:00 = 02:00-03:00 UTC
    w.figure.plotly_relayout({"xaxis.autorange": True})
    assert w.view.mode == "density" and w.view.total == TOTAL_EVENTS
    # A click selects the event under the pointer (the trace's customdata carries the ref).
    w.figure.plotly_relayout(
        {"xaxis.range[0]": "2026-05-10 09:00", "xaxis.range[1]": "2026-05-10 12:00"}
    )
    trace = next(
        t
        for t in w.figure.data
        if (t.meta or {}).get("role") == "events" and "logins:3" in [row[8] for row in t.customdata]
    )
    index = [row[8] for row in trace.customdata].index("logins:3")
    from plotly.callbacks import Points

    w._on_select(trace, Points(point_inds=[index], xs=[], ys=[], trace_name="", trace_index=0))
    assert list(w.selected["ref"]) == ["logins:3"]


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_same_timeline_on_postgresql(tl_env, tl_platform, pg_url, monkeypatch, tmp_path):
    """The wrapped library SQL, density binning and export give the same answers on PostgreSQL."""
    import duckdb
    from sqlalchemy import create_engine

    from workbench import config, timeline
    from workbench.platform.schema import TABLES, metadata

    duck = timeline.events(subjects=[SUBJECT, OTHER])
    duck_density = timeline.density(subjects=SUBJECT, bin="6h", tz="America/New_York")
    duck_view = timeline.view(subjects=[SUBJECT, OTHER], threshold=50, tz="Europe/Berlin")

    engine = create_engine(pg_url)
    metadata.create_all(engine)
    dispose_engines()  # DuckDB refuses a second, differently configured connection to the file
    con = duckdb.connect(str(tl_platform), read_only=True)
    con.execute("SET TimeZone='UTC'")
    for table in TABLES:
        with warnings.catch_warnings():  # duckdb's own DataFrame conversion warns under pandas 3
            warnings.simplefilter("ignore")
            frame = con.execute(f"SELECT * FROM {table.name}").df()
        if len(frame):
            frame.to_sql(table.name, engine, if_exists="append", index=False)
    con.close()
    engine.dispose()
    from conftest import pg_reader

    monkeypatch.setenv(config.ENV_DATA_URL, pg_reader(pg_url))
    dispose_engines()
    config.settings(reload=True)

    pg = timeline.events(subjects=[SUBJECT, OTHER])
    pd.testing.assert_frame_equal(pg, duck, check_dtype=False)
    pg_density = timeline.density(subjects=SUBJECT, bin="6h", tz="America/New_York")
    key = ["bin_start", "lane", "colour"]
    pd.testing.assert_frame_equal(
        pg_density.sort_values(key).reset_index(drop=True),
        duck_density.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    pg_view = timeline.view(subjects=[SUBJECT, OTHER], threshold=50, tz="Europe/Berlin")
    assert (
        (pg_view.mode, pg_view.total, pg_view.bin_seconds)
        == (duck_view.mode, duck_view.total, duck_view.bin_seconds)
        == ("density", TOTAL_EVENTS, 86400)
    )
    pd.testing.assert_frame_equal(
        pg_view.density.sort_values(key).reset_index(drop=True),
        duck_view.density.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    out = timeline.export(tmp_path / "pg.parquet", subjects=SUBJECT, chunk_rows=100)
    assert out.rows == TOTAL_EVENTS


def test_static_report_figure_embeds_plotly(tl_env, tmp_path):
    from workbench import timeline
    from workbench.timeline import figures as timeline_figures

    fig = timeline.figure(subjects=SUBJECT, tz="Europe/Berlin", threshold=50)
    path = timeline_figures.write_html(fig, tmp_path / "timeline.html")
    html = path.read_text()
    assert "Time (Europe\\u002fBerlin)" in html  # JSON in HTML escapes the slash
    assert (
        len(html) > 3_000_000 and '<script src="https://cdn.plot.ly' not in html
    )  # plotly.js inside


# --- planted scenarios (demo) --------------------------------------------------------------


def _scenario(ground_truth: dict, kind: str) -> dict:
    found = [s for s in ground_truth["scenarios"] if s["kind"] == kind]
    assert found, f"the demo plants no {kind}"
    return found[0]


def _position(df: pd.DataFrame, ref: str) -> int:
    hits = df.index[df["ref"] == ref].tolist()
    assert hits, f"{ref} is not on the timeline"
    return hits[0]


def test_takeover_in_order(wb_env, ground_truth):
    from workbench import timeline

    d = _scenario(ground_truth, "account_takeover")["details"]
    df = timeline.events(
        subjects=[d["victim"]],
        start=_ts(d["login_at"]) - timedelta(hours=1),
        end=_ts(d["spam_ended_at"]) + timedelta(days=1),
    )
    login = _position(df, f"logins:{d['login_id']}")
    assert df.loc[login, "kind"] == "login_new_country" and df.loc[login, "severity"] == "high"
    email = _position(df, f"account_changes:{d['email_change_id']}")
    assert df.loc[email, "kind"] == "change_email"
    spam = [_position(df, f"messages:{m}") for m in d["spam_message_ids"]]
    failed = [_position(df, f"logins:{x}") for x in d["failed_login_ids"]]
    # failed attempts, the new-country login, the email change, then the spam burst
    assert (
        max(failed)
        < login
        < email
        < _position(df, f"account_changes:{d['password_change_id']}")
        < min(spam)
    )
    assert {df.loc[i, "kind"] for i in spam} == {"message_sent"}
    reports = [_position(df, f"reports:{r}") for r in d["spam_report_ids"]]
    assert min(reports) > min(spam)
    assert df.loc[email, "ts"] == _ts(d["email_changed_at"])


def test_harassment_sextortion_impersonation_in_order(wb_env, ground_truth):
    from workbench import timeline

    h = _scenario(ground_truth, "harassment_campaign")["details"]
    df = timeline.events(subjects=[h["harasser"]], sources=["messages", "reports"])
    msgs = [_position(df, f"messages:{m}") for m in h["message_ids"]]
    assert df.loc[msgs[0], "ts"] >= _ts(h["first_message_at"])
    assert df.loc[max(msgs), "ts"] <= _ts(h["last_message_at"])
    assert min(_position(df, f"reports:{r}") for r in h["report_ids"]) > min(msgs)

    s = _scenario(ground_truth, "sextortion")["details"]
    df = timeline.events(subjects=[s["perpetrator"]], sources=["messages", "reports"])
    images = [_position(df, f"messages:{m}") for m in s["image_message_ids"]]
    threats = [_position(df, f"messages:{m}") for m in s["threat_message_ids"]]
    assert max(images) < min(threats) < _position(df, f"reports:{s['report_id']}")
    assert df.loc[min(threats), "ts"] == _ts(s["first_threat_at"])

    i = _scenario(ground_truth, "impersonation")["details"]
    df = timeline.events(subjects=[i["impersonator"]], sources=["messages", "reports"])
    contacted = [_position(df, f"messages:{m}") for m in i["message_ids"]]
    assert min(contacted) < _position(df, f"reports:{i['report_id']}")


def test_false_reporting_burst_and_ring(wb_env, ground_truth):
    from workbench import timeline

    f = _scenario(ground_truth, "false_reporting")["details"]
    df = timeline.events(
        subjects=[f["target"]],
        sources=["reports"],
        start=f["burst_start"],
        end=_ts(f["burst_end"]) + timedelta(seconds=1),
    )
    assert {f"reports:{r}" for r in f["report_ids"]} <= set(df["ref"])
    # the reporters stay confidential even on the internal timeline
    for reporter in f["reporters"]:
        assert not df["summary"].fillna("").str.contains(str(reporter)).any()
        assert not (df["actor"].fillna("") == str(reporter)).any()

    ring = _scenario(ground_truth, "romance_scam_ring")
    v = timeline.view(subjects=ring["users"], lane_by="subject", threshold=100)
    assert v.mode == "density"
    assert set(v.density["lane"]) == {str(u) for u in ring["users"]}
    assert v.total == int(v.density["n"].sum())


def test_lanes_per_subject_and_severity_colours(tl_env, case_id):
    from workbench import timeline
    from workbench.cases import notes
    from workbench.timeline import figures as timeline_figures

    notes.add_note(
        case_id,
        "Called the user.\nThey confirm they did not change the email.",
        at="2026-05-10T10:00:00+00:00",
    )
    v = timeline.view(
        case=case_id,
        subjects=[SUBJECT, OTHER],
        lane_by="subject",
        color_by="severity",
        start="2026-05-10T00:00:00Z",
        end="2026-05-15T00:00:00Z",
    )
    assert v.mode == "events"
    fig = timeline_figures.figure(v)
    lanes = list(reversed(fig.layout.yaxis.categoryarray))  # plotly lists categories bottom-up
    assert lanes[:3] == ["Case milestones", "Case notes", f"user {SUBJECT}"]
    names = {t.name for t in fig.data if (t.meta or {}).get("role") == "events"}
    assert names <= set(timeline_figures.SEVERITY_COLOURS)
    high = next(t for t in fig.data if t.name == "high")
    assert high.marker.color == timeline_figures.SEVERITY_COLOURS["high"]
    assert "logins:3" in [row[8] for row in high.customdata]
    note = v.events[v.events["source"] == "notes"].iloc[0]
    assert note["summary"] == "Called the user." and note["kind"] == "note"
    dens = timeline.view(case=case_id, lane_by="subject", color_by="severity", threshold=10)
    assert dens.mode == "density" and set(dens.density["colour"]) <= set(
        timeline_figures.SEVERITY_COLOURS
    )
    assert set(dens.density["lane"]) == {str(SUBJECT)}
