"""Redaction: patterns in many formats and scripts, entity-aware replacement of the case's people,
audiences (nothing planted survives an external bundle; internal keeps everything), special
categories and reporters never leave."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pandas as pd
import phonenumbers
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from workbench import cases
from workbench.errors import InputError
from workbench.evidence import items as evidence
from workbench.evidence.bundle import create_bundle, verify_bundle
from workbench.evidence.pseudonyms import case_key
from workbench.evidence.redaction import Person, Redactor, gather_pii, load_profile, luhn_ok

# Planted values nobody in the platform owns: the pattern rules must catch them.
UNKNOWN = {
    "email": ["zoë.müller@example.de", "someone+tag@mail.example.co.uk", "RAJ.PATEL@Example.IN"],
    "phone": [
        "+44 20 7946 0958",
        "+44 (0)20-7946-0958",
        "+81 3-1234-5678",
        "+81 90 1234 5678",
        "090-1234-5678",
        "+91 98765 43210",
        "+91-98765-43210",
        "+55 11 91234-5678",
        "+55 (11) 91234-5678",
        "(11) 91234-5678",
    ],
    "ip": [
        "198.51.100.23",
        "2001:db8:85a3::8a2e:370:7334",
        "fe80::1ff:fe23:4567:890a",
        "::ffff:192.0.2.128",
    ],
    "card": ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"],
    "handle": ["@zoe_m", "@raj.patel"],
    "url": ["https://instagram.com/zoe_m?ref=abc", "www.example.com/u/raj"],
}
SPECIAL = {
    "gender_identity": "planted-gender-value",
    "sexual_orientation": "planted-orientation-value",
    "health_notes": "planted HIV status note",
}


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


# --------------------------------------------------------------------------- unit level


def _redactor(audience: str = "external") -> Redactor:
    people = [
        Person(
            1,
            "subject",
            {
                "name": {"Maria Silva"},
                "handle": {"maria_silva88"},
                "email": {"maria.silva@example.com"},
                "phone": {"+447911123456"},
                "IP": {"2001:db8::1"},
                "device": {"dev-abc-123"},
                "payment instrument": {"fp0123456789abcdef"},
            },
        ),
        Person(
            2,
            "other",
            {"name": {"田中 花子", "山田太郎"}, "handle": {"tanaka_h"}, "phone": {"+819012345678"}},
        ),
        Person(3, "reporter", {"name": {"أحمد خان"}, "email": {"ahmed.k@example.org"}}),
    ]
    return Redactor(load_profile(audience), b"k" * 32, people)


def test_patterns_catch_every_format_and_leave_ordinary_text():
    r = _redactor()
    for kind, values in UNKNOWN.items():
        for v in values:
            out = r.text(f"contact: {v} — thanks")
            assert v not in out and out.startswith("contact: [") and out.endswith("] — thanks"), (
                kind,
                v,
                out,
            )
            if kind in ("phone", "card"):
                assert _digits(v)[-4:] not in _digits(out), (v, out)
    plain = (
        "Meeting at 10:30 on 2026-10-01, order 12345, version 1.2, €20 gift card 4111111111111112"
    )
    assert r.text(plain) == plain  # times, dates, short numbers, a non-Luhn number stay
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_known_people_are_replaced_in_any_script_and_format():
    r = _redactor()
    src = (
        "Maria Silva (MARIA SILVA, @maria_silva88, maria.silva@example.com, +44 7911 123456, "
        "07911 123456, 2001:0DB8:0:0::1, dev-abc-123, fp0123456789abcdef) wrote to 田中 花子さん "
        "and 山田太郎様 (@tanaka_h, 090-1234-5678); أحمد خان قال (ahmed.k@example.org)"
    )
    out = r.text(src)
    for gone in (
        "Maria",
        "SILVA",
        "maria_silva88",
        "maria.silva",
        "7911",
        "2001:0DB8",
        "dev-abc",
        "fp0123",
        "田中",
        "山田",
        "tanaka_h",
        "1234-5678",
        "أحمد",
        "ahmed.k",
    ):
        assert gone not in out, (gone, out)
    assert out.startswith(
        "Person A (Person A, Person A, [Person A email], [Person A phone], "
        "[Person A phone], [Person A IP], [Person A device], "
        "[Person A payment instrument]) wrote to "
    )
    # Consistent pseudonyms: the same value always gets the same tag, another value another.
    assert r.text("a@b.example") == r.text("a@b.example") != r.text("c@d.example")
    assert r.text("+44 20 7946 0958") == r.text("+44 (0)20-7946-0958")


def test_legal_keeps_subjects_but_hides_others_and_reporters():
    r = _redactor("legal")
    out = r.text("Maria Silva (maria.silva@example.com) wrote to 田中 花子; reported by أحمد خان")
    assert "Maria Silva" in out and "maria.silva@example.com" in out
    assert "田中" not in out and "أحمد" not in out
    df = pd.DataFrame(
        {
            "user_id": [1, 2],
            "email": ["maria.silva@example.com", "x@y.example"],
            "reporter_id": [3, 3],
            "health_notes": ["n", "n"],
            "body": ["hi 田中 花子", "ok"],
        }
    )
    red, applied = r.frame(df)
    assert list(red.columns) == ["user_id", "email", "body"]
    assert red["user_id"].tolist() == ["1", r.label(2)] and r.label(2).startswith("Person ")
    assert (
        red["email"].tolist()[0] == "maria.silva@example.com"
        and "x@y" not in red["email"].tolist()[1]
    )
    reasons = {a["field"]: a["reason"] for a in applied if a["action"] == "drop"}
    assert reasons == {"reporter_id": "reporter identity", "health_notes": "special category"}


@pytest.mark.parametrize("audience", ["legal", "law_enforcement"])
def test_columns_no_profile_names_still_hide_other_people(audience):
    """A query's counterpart_id or a timeline excerpt's actor, target and summary are not named
    in the profiles: other people's ids and PII in them must not leave in clear all the same."""
    r = _redactor(audience)
    df = pd.DataFrame(
        {
            "source": ["messages", "messages", "appeals"],
            "counterpart_id": [2.0, 1.0, float("nan")],  # NULLs make ids floats
            "other_user_id": [2, 2, 2],
            "actor": ["1", "2", None],
            "target": ["2", "GB", "2"],  # appeals: target is an action id
            "summary": [
                "message to 田中 花子: call +81 90-1234-5678",
                "login from GB",
                "appeal on ESC-2026-000123",
            ],
            "direction": ["sent", "received", None],
            "message_id": [10, 11, 12],
        }
    )
    red, applied = r.frame(df)
    other = r.label(2)
    assert other.startswith("Person ")
    assert red["counterpart_id"].tolist()[:2] == [other, "1"] and pd.isna(red["counterpart_id"][2])
    assert red["other_user_id"].tolist() == [other] * 3
    assert red["actor"].tolist()[:2] == ["1", other] and red["actor"][2] is None
    assert red["target"].tolist() == [other, "GB", "2"]  # the appeal's action id is no person
    assert "田中" not in red["summary"][0] and "1234" not in red["summary"][0]
    assert red["summary"][1] == "login from GB"
    assert red["summary"][2] == "appeal on ESC-2026-000123"  # a case id is not a phone number
    assert red["message_id"].tolist() == [10, 11, 12]  # not a person: kept as it was
    assert red["direction"].tolist()[:2] == ["sent", "received"]
    reasons = {a["field"]: a["reason"] for a in applied}
    assert reasons["counterpart_id"] == "person id" and reasons["summary"] == "free text"
    # the team's own bundle keeps everything
    internal, _ = _redactor("internal").frame(df)
    assert internal.equals(df)


def test_profiles_are_validated(tmp_path):
    for audience in ("internal", "legal", "law_enforcement", "external"):
        assert load_profile(audience).audience == audience
    with pytest.raises(InputError, match="not an audience"):
        load_profile("press")
    (tmp_path / "external.yaml").write_text("fields: {gender_identity: keep}\n")
    with pytest.raises(InputError, match="must be dropped"):
        load_profile("external", folder=tmp_path)
    (tmp_path / "legal.yaml").write_text("fields: {email: blur}\n")
    with pytest.raises(InputError, match="action 'blur'"):
        load_profile("legal", folder=tmp_path)


def test_pseudonym_key_is_per_case_private_and_stable(wb_env):
    k1 = case_key("ESC-2026-000001")
    assert case_key("ESC-2026-000001") == k1 != case_key("ESC-2026-000002")
    path = wb_env.home / "secrets" / "pseudonyms" / "ESC-2026-000001.key"
    assert path.stat().st_mode & 0o077 == 0


# --------------------------------------------------------------------------- end to end


def _pick_people() -> tuple[int, int, int]:
    """A subject, a reporter and a third person who all have contact details on the platform."""
    from workbench.platform.engine import platform_engine

    with platform_engine().connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                text("SELECT user_id FROM users WHERE phone IS NOT NULL ORDER BY user_id LIMIT 3")
            )
        ]
    return ids[0], ids[1], ids[2]


def _formats(phone: str) -> list[str]:
    try:
        n = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return [phone]
    return [
        phone,
        phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL),
    ]


@pytest.fixture
def planted(wb_env, tmp_path):
    subject, reporter, other = _pick_people()
    pii = gather_pii([subject, reporter, other])
    known: list[str] = []
    for uid in (subject, reporter, other):
        for kind, values in pii[uid].items():
            for v in values:
                known.extend(_formats(v) if kind == "phone" else [v])
    unknown = [v for vs in UNKNOWN.values() for v in vs]
    corpus = "\n".join(f"line {i}: {v} / " for i, v in enumerate(known + unknown))
    cid = cases.create(
        category="scam_fraud",
        summary=f"Reported: {known[0]} contacted people",
        subjects=[subject],
        reporters=[reporter],
    ).case_id
    evidence.add_note(cid, corpus)
    f = tmp_path / "chat-export.txt"
    f.write_text(corpus, encoding="utf-8")
    evidence.add_file(cid, f, note=f"export mentioning {known[0]}")
    msgs = pd.DataFrame(
        {
            "message_id": range(len(known + unknown)),
            "sender_id": [subject] * len(known + unknown),
            "recipient_id": [other] * len(known + unknown),
            "body": known + unknown,
        }
    )
    evidence.add_content(cid, msgs, kind="messages", title="messages")
    profile = {"user_id": subject, "bio": f"I am {known[0]}", **SPECIAL}
    evidence.add_content(cid, profile, kind="profile")
    reports = pd.DataFrame(
        {
            "report_id": [1],
            "reporter_id": [reporter],
            "reported_user_id": [subject],
            "free_text": [f"this is {next(iter(pii[reporter].get('name', {'x'})))} writing"],
        }
    )
    reports.attrs["provenance"] = {
        "query": "reports_against_user",
        "sql": "SELECT ...",
        "params": {"user_id": subject},
        "row_count": 1,
        "case": cid,
    }
    evidence.add_query_result(cid, reports)
    reporter_values = [v for vs in pii[reporter].values() for v in vs]
    return {
        "case": cid,
        "known": known,
        "unknown": unknown,
        "reporter": reporter,
        "reporter_values": reporter_values,
    }


def _scan(path) -> str:
    """All text in a bundle: every entry, Parquet decoded (data and metadata), HTML unescaped."""
    parts = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".parquet"):
                pf = pq.ParquetFile(io.BytesIO(data))
                parts.append(pf.read().to_pandas().to_csv(index=False))
                parts.append(" ".join(pf.schema_arrow.names))
                for k, v in (pf.metadata.metadata or {}).items():
                    parts.append(k.decode("utf-8", "replace") + v.decode("utf-8", "replace"))
            else:
                parts.append(html.unescape(data.decode("utf-8", "replace")))
            parts.append(name)
    return "\n".join(parts)


def _leaks(values: list[str], scanned: str) -> list[str]:
    """Values still present; ASCII values as whole words (a handle 'son' is not in 'Person A')."""
    low = scanned.casefold()
    found = []
    for v in values:
        v = v.casefold()
        if v.isascii() and v[:1].isalnum() and v[-1:].isalnum():
            if re.search(rf"(?<![\w@.]){re.escape(v)}(?![\w])", low):
                found.append(v)
        elif v in low:
            found.append(v)
    return found


def _columns(path) -> set[str]:
    """Column names of every table (CSV header and Parquet schema) in a bundle."""
    cols: set[str] = set()
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".parquet"):
                cols |= set(pq.ParquetFile(io.BytesIO(zf.read(name))).schema_arrow.names)
            elif name.endswith(".csv"):
                cols |= set(zf.read(name).decode().splitlines()[0].split(","))
    return cols


def test_external_bundle_leaves_nothing_behind_and_internal_keeps_everything(planted, tmp_path):
    cid = planted["case"]
    ext = create_bundle(cid, "external", tmp_path / "external.zip")
    assert verify_bundle(ext.path).ok
    scanned = _scan(ext.path)
    assert _leaks(planted["known"] + planted["unknown"], scanned) == []
    for v in UNKNOWN["phone"] + UNKNOWN["card"]:  # not even the tail, in any spacing
        tail = r"[\s().-]*".join(_digits(v)[-7:])
        assert not re.search(rf"(?<!\d){tail}(?!\d)", scanned), v
    assert "Person A" in scanned  # the subject, pseudonymised
    assert not {"reporter_id", *SPECIAL} & _columns(ext.path)
    for value in SPECIAL.values():
        assert value not in scanned

    internal = create_bundle(cid, "internal", tmp_path / "internal.zip")
    kept = _scan(internal.path)
    missing = [
        v for v in planted["known"] + planted["unknown"] + list(SPECIAL.values()) if v not in kept
    ]
    assert missing == []
    assert {"reporter_id", *SPECIAL} <= _columns(internal.path)


@pytest.mark.parametrize("audience", ["legal", "law_enforcement", "external"])
def test_special_categories_and_reporters_never_leave(planted, tmp_path, audience):
    res = create_bundle(planted["case"], audience, tmp_path / f"{audience}.zip")
    scanned = _scan(res.path)
    assert not {"reporter_id", *SPECIAL} & _columns(res.path)
    for value in SPECIAL.values():
        assert value not in scanned
    assert _leaks(planted["reporter_values"], scanned) == []
    with zipfile.ZipFile(res.path) as zf:
        import json

        manifest = json.loads(zf.read("manifest.json"))
    drops = {
        (r["field"], r["reason"])
        for it in manifest["items"]
        for r in it["redactions"]
        if r["action"] == "drop"
    }
    assert ("reporter_id", "reporter identity") in drops
    assert ("health_notes", "special category") in drops
    # Redacted files are derived items with their own hashes; originals' hashes are kept.
    originals = {i.label: i.sha256 for i in evidence.list_items(planted["case"])}
    for it in manifest["items"]:
        assert it["original"]["sha256"] == originals[it["item"]]
        for f in it["files"]:
            if f["derived"]:
                assert f["parent"] == {"item": it["item"], "sha256": originals[it["item"]]}
