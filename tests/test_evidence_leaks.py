"""The leak corpus: every way the issue found identifying data leaving (aliases, file names, notes
with ids, phones with odd separators, look-alike spellings, EXIF, disguised media, a timeline of
several subjects) is collected on the planted scam-ring case and bundled for external, legal and
law_enforcement. A checker written apart from the redactor (its own SQL, its own normalisation)
searches every byte of each bundle (zip entries, decoded Parquet, HTML unescaped, image
metadata) for the raw values and their normalised forms: zero leaks."""

from __future__ import annotations

import ast
import html
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

import workbench as wb
from workbench import cases
from workbench.evidence import items as evidence
from workbench.evidence.bundle import create_bundle, verify_bundle

OUTSIDE = ("external", "legal", "law_enforcement")
HOMOGLYPHS = str.maketrans("аеорсухіАЕОРСХ", "aeopcyxiAEOPCX")  # Cyrillic look-alikes


# --------------------------------------------------------------------------- the checker


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Cf").translate(HOMOGLYPHS)
    return s.casefold()


def _platform_values(user_id: int) -> dict[str, set[str]]:
    """A person's identifying values, read with SQL of its own (not the redactor's)."""
    from workbench.platform.engine import platform_engine

    out: dict[str, set[str]] = {}
    sql = {
        "name": "SELECT display_name FROM users WHERE user_id = :u",
        "handle": "SELECT handle FROM users WHERE user_id = :u",
        "email": "SELECT email FROM users WHERE user_id = :u",
        "phone": "SELECT phone FROM users WHERE user_id = :u AND phone IS NOT NULL",
        "ip": "SELECT DISTINCT ip FROM logins WHERE user_id = :u",
        "device": "SELECT DISTINCT device_id FROM devices WHERE user_id = :u",
        "payment": "SELECT DISTINCT instrument_fingerprint FROM payments WHERE user_id = :u",
    }
    with platform_engine().connect() as conn:
        for kind, q in sql.items():
            out[kind] = {str(r[0]) for r in conn.execute(text(q), {"u": user_id}) if r[0]}
    return out


def _needles(user_id: int) -> dict[str, list[str]]:
    """What the checker looks for, by kind (its own derivation of the forms)."""
    import phonenumbers

    v = _platform_values(user_id)
    out: dict[str, list[str]] = {k: sorted(v[k]) for k in ("name", "handle", "email", "ip")}
    out["name part"] = sorted(
        {p for n in v["name"] for p in n.split() if len(p) >= (3 if p.isascii() else 2)}
    )
    out["email local part"] = sorted({e.split("@")[0] for e in v["email"]})
    out["device"] = sorted(v["device"])
    out["payment"] = sorted(v["payment"])
    out["phone digits"] = sorted(
        {phonenumbers.national_significant_number(phonenumbers.parse(p)) for p in v["phone"]}
    )
    out["user id"] = [str(user_id)]
    return out


def _texts_of(path: Path) -> list[tuple[str, str]]:
    """(where, text) for every byte of a bundle: entries as UTF-8 and Latin-1, HTML unescaped,
    Parquet decoded with its metadata, image metadata, nested zips opened."""
    import pyarrow.parquet as pq
    from PIL import Image

    out: list[tuple[str, str]] = []

    def add(where: str, data: bytes) -> None:
        out.append((where, data.decode("utf-8", "replace")))
        out.append((where + " (latin-1)", data.decode("latin-1")))
        out.append((where + " (unescaped)", html.unescape(data.decode("utf-8", "replace"))))
        if data[:4] == b"PAR1":
            pf = pq.ParquetFile(io.BytesIO(data))
            out.append((where + " (parquet)", pf.read().to_pandas().to_csv(index=False)))
            for k, val in (pf.metadata.metadata or {}).items():
                out.append((where + " (parquet meta)", (k + val).decode("utf-8", "replace")))
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                for n in inner.namelist():
                    add(f"{where}!{n}", inner.read(n))
        try:
            with Image.open(io.BytesIO(data)) as im:
                meta = [str(v) for v in im.getexif().values()] + [str(v) for v in im.info.values()]
                out.append((where + " (image metadata)", "\n".join(meta)))
        except Exception:
            pass

    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            out.append(("entry name", info.filename))
            add(info.filename, zf.read(info))
    return out


def leaks(path: Path, needles: dict[str, list[str]]) -> list[str]:
    """Where a needle is found (kind and place, never printed with the value)."""
    found = []
    for where, raw in _texts_of(path):
        hay = _fold(raw)
        digit_lines = [
            re.sub(r"\D", "", unicodedata.normalize("NFKC", ln)) for ln in hay.splitlines()
        ]
        for kind, values in needles.items():
            for v in values:
                if kind == "phone digits":
                    if any(v in d for d in digit_lines):
                        found.append(f"{kind} in {where}")
                    continue
                if kind == "user id":
                    cue = rf"(?:#|member|user|reporter|person [a-z]{{1,2}}|\bid)\W{{0,4}}{v}(?!\d)"
                    if re.search(cue, hay):
                        found.append(f"{kind} in {where}")
                    continue
                pin = _fold(v)
                if re.search(rf"(?<![^\W_]){re.escape(pin)}(?![^\W_])", hay):
                    found.append(f"{kind} in {where}")
    return sorted(set(found))


# --------------------------------------------------------------------------- the corpus


def _scam_ring(ground_truth: dict) -> dict:
    s = next(x for x in ground_truth["scenarios"] if x["kind"] == "romance_scam_ring")
    d = s["details"]
    return ast.literal_eval(d) if isinstance(d, str) else d


def _exif_jpeg(artist: str, description: str) -> bytes:
    from PIL import Image

    im = Image.new("RGB", (48, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = artist  # Artist
    exif[0x010E] = description  # ImageDescription
    gps = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
    exif[0x8825] = gps
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes(), comment=description.encode())
    return buf.getvalue()


def _docx(body: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document><w:t>{body}</w:t></w:document>")
    return buf.getvalue()


def _tagged_wav(title: str) -> Path:
    import av
    import numpy as np

    path = Path(__file__).parent.parent / "test-output" / "corpus-tagged.wav"
    path.parent.mkdir(exist_ok=True)
    with av.open(str(path), "w") as c:
        c.metadata["title"] = title
        c.metadata["artist"] = title
        s = c.add_stream("pcm_s16le", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 800), np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 8000
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _odd_phones(phone: str) -> list[str]:
    import phonenumbers

    nat = "0" + phonenumbers.national_significant_number(phonenumbers.parse(phone))
    commas = f"{nat[:5]},{nat[5:8]},{nat[8:]}"
    under = f"{nat[:4]}_{nat[4:7]}_{nat[7:]}"
    spaced = f"+{phone[1:3]} ({nat[1:5]}) {nat[5:8]}-{nat[8:]}"
    zw = nat[:4] + "\u200b" + nat[4:]
    wide = "".join(chr(0xFF10 + int(c)) for c in nat)
    return [commas, under, spaced, zw, wide]


@pytest.fixture
def corpus(wb_env, ground_truth, tmp_path) -> dict:
    ring = _scam_ring(ground_truth)
    members, reporters = ring["members"], ring["reporters"]
    victims = [v for v in ring["victims"] if v not in reporters]
    subject, reporter = members[0], reporters[0]
    rv = _platform_values(reporter)
    name = sorted(rv["name"])[0]
    first, *rest = name.split()
    email = sorted(rv["email"])[0]
    phone = sorted(rv["phone"])[0] if rv["phone"] else "+447729316831"
    cid = cases.create(
        category="scam_fraud",
        summary="Romance scam ring asking for gift cards",
        subjects=members[:2],
        reporters=[reporter],
    ).case_id
    # file names: the upload's own name carries the reporter's e-mail and name
    upload = tmp_path / f"{email}_{first}_{'_'.join(rest) or 'x'}_chat.txt"
    upload.write_text(f"{name}: please call me on {_odd_phones(phone)[0]}\n", encoding="utf-8")
    evidence.add_file(cid, upload, note=f"sent by {email.split('@')[0]}")
    # notes with ids, odd separators, invisible and look-alike spellings
    evidence.add_note(cid, f"Reporter {name} ({reporter}); also member #{reporter}.")
    evidence.add_note(cid, "Phones seen: " + "; ".join(_odd_phones(phone)))
    evidence.add_note(
        cid,
        f"Spelled {first[:2]}\u200b{first[2:]}, {first[0].translate(str.maketrans('AaEeOo', 'АаЕеОо'))}"
        f"{first[1:]} and {first[:1]}\u00ad{first[1:]} in the chat.",
    )
    # an ad-hoc query with aliases: reporter_id AS r, display_name AS contact, ...
    df = wb.sql(
        "SELECT r.reporter_id AS r, u.display_name AS contact, lower(u.email) AS e, "
        "u.phone AS p, u.handle AS h, r.free_text FROM reports r "
        "JOIN users u ON u.user_id = r.reporter_id WHERE r.reported_user_id = :uid",
        case=cid,
        uid=subject,
    )
    assert len(df), "the planted reports are there"
    evidence.add_query_result(cid, df, title="who reported")
    # a victim's name under an alias
    if victims:
        df2 = wb.sql(
            "SELECT m.message_id, u.display_name AS contact, m.body FROM messages m "
            "JOIN users u ON u.user_id = m.recipient_id WHERE m.sender_id = :s LIMIT 20",
            case=cid,
            s=subject,
        )
        evidence.add_query_result(cid, df2, title="contacts")
    # EXIF, and a docx disguised as a photo
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(_exif_jpeg(name, f"{email} {phone}"))
    evidence.add_content(cid, photo, kind="photo")
    disguised = tmp_path / "holiday.jpg"
    disguised.write_bytes(_docx(f"{name} {email} {phone}"))
    evidence.add_file(cid, disguised)
    evidence.add_content(cid, disguised, kind="photo")
    evidence.add_content(cid, _tagged_wav(name), kind="media")
    # a timeline excerpt of several subjects (one query provenance per source and subject)
    events = wb.timeline.events(subjects=members[:2], case=cid)
    evidence.add_timeline_excerpt(cid, events.head(200))
    evidence.add_timeline_events(cid, events.head(20))
    needles = {"reporter": _needles(reporter)}
    for v in victims[:3]:
        needles[f"victim {v}"] = _needles(v)
    needles["subject"] = _needles(subject)
    return {"case": cid, "needles": needles}


def corpus_size(needles: dict[str, dict[str, list[str]]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for person in needles.values():
        for kind, values in person.items():
            sizes[kind] = sizes.get(kind, 0) + len(values)
    return sizes


@pytest.mark.slow
def test_the_leak_corpus_leaves_nothing_for_any_outside_audience(corpus, tmp_path, output_dir):
    cid = corpus["case"]
    sizes = corpus_size(corpus["needles"])
    (output_dir / "corpus_size.txt").write_text(
        "\n".join(f"{k}: {v}" for k, v in sorted(sizes.items())) + "\n"
    )
    assert sizes["name part"] and sizes["phone digits"] and sizes["user id"]
    for audience in OUTSIDE:
        res = create_bundle(cid, audience, tmp_path / f"{audience}.zip")
        assert verify_bundle(res.path).ok
        protected = {
            k: v
            for k, v in corpus["needles"].items()
            if not (k == "subject" and audience != "external")  # legal/LE see subjects
        }
        found = [f for who, n in protected.items() for f in leaks(res.path, n)]
        assert found == [], (audience, found)
        with zipfile.ZipFile(res.path) as zf:
            names = zf.namelist()
            manifest = zf.read("manifest.json").decode()
        # disguised media never ship as media, and cleaned media carry no metadata
        assert not any(n.startswith("files/") and n.endswith(".jpg") for n in names)
        assert "cannot be redacted" in manifest or "not shared" in manifest
        if audience != "external":
            photos = [n for n in names if n.startswith("media/") and n.endswith(".jpg")]
            assert photos, names
            with zipfile.ZipFile(res.path) as zf:
                for n in photos:
                    data = zf.read(n)
                    assert b"Exif" not in data and b"\xff\xfe" not in data[:200]
    # the team's own bundle keeps what was collected: the checker does find it there
    internal = create_bundle(cid, "internal", tmp_path / "internal.zip")
    assert leaks(internal.path, corpus["needles"]["reporter"])


def test_the_checker_finds_what_it_is_given(tmp_path):
    """The checker is only worth something if it can fail: plant values and see them found."""
    needles = {
        "name": ["Amelia Green"],
        "name part": ["Amelia", "Green"],
        "email local part": ["amelia.green2881"],
        "phone digits": ["7729316831"],
        "user id": ["2881"],
    }
    path = tmp_path / "planted.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "Ame\u200blia called from 07729,316,831")
        zf.writestr("b.html", "&lt;b&gt;Gr\u0435en&lt;/b&gt; member #2881")
        zf.writestr("c.jpg", _exif_jpeg("Amelia Green", "amelia.green2881@example.com"))
    found = leaks(path, needles)
    kinds = {f.split(" in ")[0] for f in found}
    assert kinds == {"name", "name part", "email local part", "phone digits", "user id"}, found
