"""CyberTipline reports: a minor-safety case yields a report whose elements follow the schema's
order and hold nothing the case does not hold; an adults-only case is refused in one line."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from filings_support import decide, planted

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env


def _minor_case():
    """A minor-safety case on a demo member, with one photo a reviewer stepped through."""
    from workbench import cases
    from workbench.content import profiles
    from workbench.evidence import items as ev
    from workbench.filings import cybertip

    sext = cases.get(planted()["sextortion"])
    uid = sext.subjects[0]
    other = next(u for u in range(uid + 1, uid + 400) if not profiles.users([u]).empty)
    case = cases.create(
        category="minor_safety",
        title="Sexualised messages to an under-age member",
        subjects=[uid],
        custom={"cybertip_victims": [other], "cybertip_incident": "enticement"},
    )
    photos = profiles.photos(uid)
    path = photos.dropna(subset=["path"]).iloc[0]["path"]
    item = ev.add_content(case.case_id, path, kind="photo")
    unreviewed = ev.add_content(
        case.case_id, photos.dropna(subset=["path"]).iloc[-1]["path"], kind="photo"
    )
    cybertip.review_file(case.case_id, item.label, viewed=True, exif_viewed=False, industry="B2")
    return case, uid, other, item, unreviewed


def _order_ok(el: ET.Element) -> None:
    from workbench.filings import ncmec

    if el.tag in ncmec.SEQUENCES:
        names = [n for n, _ in ncmec.SEQUENCES[el.tag]]
        idx = [names.index(c.tag) for c in el]
        assert idx == sorted(idx), (el.tag, [c.tag for c in el])
        for c in el:
            _order_ok(c)


@pytest.mark.usefixtures("demo_env")
def test_minor_case_report_valid_in_order_and_only_case_values():
    from workbench.content import profiles
    from workbench.evidence import items as ev
    from workbench.filings import cybertip, holds, ncmec, records
    from workbench.queries.run import query
    from workbench.store import audit

    case, uid, other, item, unreviewed = _minor_case()
    rep = cybertip.prepare(case.case_id)
    assert not rep.already and rep.filing is not None
    assert ncmec.validate(rep.report) == []
    root = ET.fromstring(rep.report)
    _order_ok(root)
    top = [c.tag for c in root]
    assert top[:2] == ["incidentSummary", "internetDetails"]
    assert top.index("reporter") < top.index("personOrUserReported") < top.index("victim")
    assert root.findtext("incidentSummary/incidentType") == (
        "Online Enticement of Children for Sexual Acts"
    )
    assert root.find("lawEnforcement") is None  # the case holds no authority's request
    assert root.find("intendedRecipient") is None  # nobody named

    # every value about the reported member is on the platform for that member
    acct = profiles.users([uid]).iloc[0]
    pr = root.find("personOrUserReported")
    assert pr.findtext("espIdentifier") == str(uid)
    assert pr.findtext("screenName") == acct["handle"]
    assert pr.findtext("displayName") == acct["display_name"]
    assert pr.findtext("personOrUserReportedPerson/email") == acct["email"]
    if acct["phone"] is None:
        assert pr.find("personOrUserReportedPerson/phone") is None
    logins = query("logins_by_user", user_id=uid, start="-3650d", end=case.created_at, limit=100000)
    ok = logins[logins["success"].astype(bool)]
    ips = [e.findtext("ipAddress") for e in pr.findall("ipCaptureEvent")]
    assert ips and len(ips) <= 20 and set(ips) <= set(ok["ip"])
    devices = [d.findtext("idValue") for d in pr.findall("deviceId")]
    assert devices and set(devices) <= set(ok["device_id"])
    assert root.find("victim/espIdentifier").text == str(other)
    # no first/last names, ages or profile URLs: the platform holds none
    for tag in ("firstName", "lastName", "age", "profileUrl", "dateOfBirth"):
        assert root.find(f".//personOrUserReported//{tag}") is None
        assert root.find(f".//victim//{tag}") is None

    # one file: the reviewed one, with the reviewer's flags and classification and its hashes
    assert len(rep.files) == 1 and item.label in rep.files[0][0]
    assert any(unreviewed.label in w for w in rep.warnings)
    fd = ET.fromstring(rep.files[0][1])
    assert ncmec.validate(fd) == []
    assert ncmec.validate(fd, draft=False)  # NCMEC's ids are left for the sender
    _order_ok(fd)
    assert fd.findtext("fileViewedByEsp") == "true"
    assert fd.findtext("exifViewedByEsp") == "false"
    assert fd.findtext("industryClassification") == "B2"
    assert fd.find("publiclyAvailable") is None  # the reviewer did not say
    hashes = {h.get("hashType"): h.text for h in fd.findall("originalFileHash")}
    assert hashes["SHA256"] == item.sha256

    # recorded: filing as evidence (in custody), audited, one-year hold on the case
    f = records.find(rep.key)
    assert f is not None and records.payload(f, 0) == rep.report
    labels = {i.id: i for i in ev.list_items(case.case_id)}
    assert all(labels[i].kind == "filing" for i in f.items)
    assert ev.verify_custody(case.case_id) == []
    [hold] = holds.for_case(case.case_id)
    assert hold.kind == "cybertip" and hold.filing_id == f.id
    assert 365 <= (hold.due - f.created_at).total_seconds() / 86400 <= 366.1
    from workbench import cases

    assert cases.get(case.case_id).preservation_due == hold.due
    assert len(audit.records(case.case_id, action="filing.cybertip")) == 1

    again = cybertip.prepare(case.case_id)
    assert again.already and len(holds.for_case(case.case_id)) == 1


@pytest.mark.usefixtures("demo_env")
def test_adult_case_refused_in_one_line(capsys):
    from workbench.cli import main
    from workbench.filings import cybertip, records

    case_id = planted()["sextortion"]
    decide(case_id, "sextortion")
    with pytest.raises(cybertip.NotChildSafety, match="child sexual exploitation"):
        cybertip.prepare(case_id, incident="enticement")
    capsys.readouterr()
    assert main(["filing", "cybertip", case_id, "--incident", "enticement"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the CyberTipline is for child sexual exploitation" in err[0]
    assert records.for_case(case_id, "cybertip") == []


def test_validator_refuses_order_missing_and_bad_values():
    from workbench.filings import ncmec

    ok = (
        b"<report><incidentSummary><incidentType>Child Sex Trafficking</incidentType>"
        b"<incidentDateTime>2026-01-01T00:00:00+00:00</incidentDateTime></incidentSummary>"
        b"<reporter><reportingPerson><email>a@b.example</email></reportingPerson></reporter>"
        b"</report>"
    )
    assert ncmec.validate(ok) == []
    swapped = ok.replace(b"<incidentSummary>", b"<X>")  # not well-formed
    assert "well-formed" in ncmec.validate(swapped)[0]
    out_of_order = (
        b"<report><reporter><reportingPerson><email>a@b.example</email></reportingPerson>"
        b"</reporter><incidentSummary><incidentType>Child Sex Trafficking</incidentType>"
        b"<incidentDateTime>2026-01-01T00:00:00+00:00</incidentDateTime></incidentSummary></report>"
    )
    got = ncmec.validate(out_of_order)
    assert any("out of order" in p for p in got) and any(
        "needs <incidentSummary>" in p for p in got
    )
    no_reporter = ok.split(b"<reporter>")[0] + b"</report>"
    assert any("needs <reporter>" in p for p in ncmec.validate(no_reporter))
    bad_type = ok.replace(b"Child Sex Trafficking", b"Sextortion")
    assert any("not a value of <incidentType>" in p for p in ncmec.validate(bad_type))
    two_incidents = ok.replace(
        b"</incidentSummary>",
        b"</incidentSummary><internetDetails><webPageIncident/><chatImIncident/></internetDetails>",
    )
    assert any("exactly one" in p for p in ncmec.validate(two_incidents))
    supplemental = (
        b"<fileDetails><fileRelevance>Supplemental Reported</fileRelevance>"
        b"<industryClassification>A1</industryClassification></fileDetails>"
    )
    assert any("Supplemental" in p for p in ncmec.validate(supplemental))
    nohash = b"<fileDetails><originalFileHash>ab</originalFileHash></fileDetails>"
    assert any("hashType" in p for p in ncmec.validate(nohash))


@pytest.mark.usefixtures("demo_env")
def test_hold_counts_a_year_from_submission():
    from datetime import timedelta

    from workbench import cases
    from workbench.cases.sla import preservation_deadline
    from workbench.filings import cybertip, holds, records

    case, *_ = _minor_case()
    rep = cybertip.prepare(case.case_id)
    sent = rep.filing.created_at + timedelta(days=3)
    records.mark_submitted(rep.filing.id, reference="CT-123", at=sent)
    [hold] = holds.for_case(case.case_id)
    assert hold.started_at == sent and hold.due > rep.hold.due
    assert hold.due == preservation_deadline(sent, years=1)
    assert timedelta(days=365) <= hold.due - sent <= timedelta(days=366, hours=1)
    assert cases.get(case.case_id).preservation_due == hold.due
