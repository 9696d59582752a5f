"""The hunt: every planted ring found across the platform and ranked above the decoys, link
reasons and weights, cases filed once per new cluster, coordinated reporting marked, the views,
the command line, and the benchmark's metrics on the session's small demo platform."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import demo_links, fresh_home

from workbench.hunt import weights

TOP = 10


@pytest.fixture(scope="module")
def hunt_env(demo_home, tmp_path_factory):
    """A home reading the session's demo platform, for the whole module (the sweep runs once)."""
    mp = pytest.MonkeyPatch()
    with fresh_home(mp, tmp_path_factory.mktemp("hunt") / "home", links=demo_links(demo_home)) as s:
        yield s


@pytest.fixture(scope="module")
def truth(demo_home) -> dict:
    return json.loads((demo_home / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def swept(hunt_env, truth):
    from workbench import hunt

    return hunt.rings(as_of=truth["anchor"])


@pytest.fixture(scope="module")
def everything(hunt_env, truth):
    from workbench import hunt

    return hunt.rings(as_of=truth["anchor"], min_score=0)


def _rings(truth: dict) -> list[dict]:
    return [s for s in truth["scenarios"] if s["kind"] == "romance_scam_ring"]


def _decoy_of(truth: dict) -> dict[int, str]:
    return {u: d["kind"] for d in truth["decoys"] for u in d["users"]}


# --------------------------------------------------------------------------- the sweep


def test_the_hunt_finds_every_ring_in_its_top_ten(swept, truth):
    top = swept.clusters[:TOP]
    for sc in _rings(truth):
        members = set(sc["users"])
        holding = [c for c in top if members <= set(c.members)]
        assert holding, f"{sc['details']['style']} is not in the top {TOP}"
        (cluster,) = holding
        assert len(members) / cluster.size >= 0.95, (sc["details"]["style"], cluster.members)
    decoy = _decoy_of(truth)
    wrongly = {decoy[u] for c in top for u in c.members if u in decoy}
    assert not wrongly, f"decoy groups in the top {TOP}: {wrongly}"
    assert [c.score for c in swept.clusters] == sorted(
        (c.score for c in swept.clusters), reverse=True
    )


def test_decoys_are_clusters_too_but_rank_below_every_ring(everything, truth):
    """With no minimum score the households and the photographer's clients show up (their
    links are real), all of them below every ring."""
    decoy = _decoy_of(truth)
    ring_sets = [set(s["users"]) for s in _rings(truth)]
    ranks = {}
    for i, c in enumerate(everything.clusters):
        kinds = Counter(decoy[u] for u in c.members if u in decoy)
        if kinds:
            ranks.setdefault(kinds.most_common(1)[0][0], i)
        if any(r <= set(c.members) for r in ring_sets):
            ranks.setdefault("ring", []).append(i)  # type: ignore[union-attr]
    assert {"family_device", "photographer"} <= set(ranks), ranks
    worst_ring = max(ranks["ring"])
    assert all(v > worst_ring for k, v in ranks.items() if k != "ring"), ranks
    # the crowds (carrier NAT, campus, VPN) never link anyone: too common to count
    for d in truth["decoys"]:
        if d["kind"].endswith("_ip"):
            crowd = set(d["users"])
            assert all(len(crowd & set(c.members)) <= 4 for c in everything.clusters), d["kind"]


def test_clusters_come_with_their_link_reasons(swept, truth):
    by_style = {}
    for sc in _rings(truth):
        by_style[sc["details"]["style"]] = next(
            c for c in swept.clusters if set(sc["users"]) <= set(c.members)
        )
    pp = by_style["photos_and_payments"]
    assert {"photo", "payment_instrument"} <= set(pp.kinds) and "device" not in pp.kinds
    assert "device" in by_style["rotating_devices"].kinds
    assert "template" in by_style["small_template"].kinds
    for c in by_style.values():
        assert set(c.links) == set(c.kinds) and len(c.kinds) >= 3  # several kinds agree
        assert all(k in c.reasons for k in c.kinds) and c.usd_asked > 0 and c.reporters >= 2
        assert c.parts["kinds"] > 0 and abs(sum(c.parts.values()) - c.score) < 0.05
        assert c.cluster_id.startswith("HC-") and c.summary().startswith(f"{c.size} accounts")
    table = swept.table()
    assert list(table["rank"]) == list(range(1, len(swept.clusters) + 1))


def test_since_and_min_size_narrow_the_sweep(hunt_env, swept, truth):
    from workbench import hunt
    from workbench.errors import InputError

    later = hunt.rings(as_of=truth["anchor"], since="2100-01-01T00:00:00Z")
    assert later.clusters == []
    big = hunt.rings(as_of=truth["anchor"], min_size=10)
    assert big.clusters and all(c.size >= 10 for c in big.clusters)
    for bad in ({"min_size": 1}, {"min_weight": 0}, {"min_weight": "x"}):
        with pytest.raises(InputError):
            hunt.rings(**bad)


def test_weights_by_rarity():
    import workbench as wb
    from workbench import hunt

    assert wb.hunt.rings is hunt.rings  # the facade: wb.hunt
    assert weights.identifier_weight(2) == 1.0 and weights.identifier_weight(3) == 0.5
    assert weights.identifier_weight(1) == 0.0 and weights.identifier_weight(301) < 0.004
    assert weights.max_holders(0.05) == 21 and weights.max_holders(0.5) == 3
    assert weights.pair_weight({"device": [1.0, 1.0], "ip": [0.25]}) == 1.25


def test_money_is_read_from_message_text():
    from workbench.hunt import money

    assert money.amounts("Can you send 500 USDT today?") == [500.0]
    assert money.amounts("only $1,200 or 200 USD") == [1200.0, 200.0]
    assert money.total_usd(["€100", "nothing here", "3 GBP"]) == round(109 + 3.81, 2)


# --------------------------------------------------------------------------- weighted links


def test_linked_accounts_weighs_links_and_keeps_crowds_out(hunt_env, truth):
    import workbench as wb

    vpn = next(d for d in truth["decoys"] if d["kind"] == "vpn_exit_ip")
    ring = next(s for s in _rings(truth) if s["details"]["style"] == "linked_every_way")
    member = ring["details"]["reported_member"]
    df = wb.query("linked_accounts", user_id=member)
    assert set(df["linked_user_id"]) == set(ring["users"]) - {member}  # the VPN crowd stays out
    assert (df["weight"] > 0).all() and df["link_weights"].str.contains(r"\d\.\d\d").all()
    unweighted = wb.query("linked_accounts", user_id=member, min_weight=1e-6, max_hops=1)
    assert set(vpn["users"]) <= set(unweighted["linked_user_id"])  # what the threshold prevents
    bystander = vpn["users"][0]
    assert not set(wb.query("linked_accounts", user_id=bystander)["linked_user_id"]) & set(
        vpn["users"]
    )


def test_reporter_network_ignores_a_shared_carrier_address(hunt_env, truth):
    """Two of the harassment victims who reported the harasser sit behind one carrier NAT:
    that does not make them linked."""
    import workbench as wb

    h = next(s for s in truth["scenarios"] if s["kind"] == "harassment_campaign")["details"]
    nat = next(d for d in truth["decoys"] if d["kind"] == "carrier_nat_ip")
    assert set(nat["details"]["also_planted"]) <= set(h["reporters"])
    assert wb.query("reporter_network", user_id=h["harasser"], start="-3650d").empty
    loose = wb.query("reporter_network", user_id=h["harasser"], start="-3650d", min_weight=1e-6)
    assert len(loose) >= 1


# --------------------------------------------------------------------------- cases


def test_open_cases_files_one_case_per_new_cluster_once(wb_env, truth):
    from workbench import cases, hunt
    from workbench.demo.cases import file_demo_cases

    demo = file_demo_cases(wb_env, n_history=0, seed=7)
    result = hunt.rings(as_of=truth["anchor"])
    first = hunt.open_cases(result)
    assert len(first.filed) == len(result.clusters) and not first.existing
    planted_case = {
        sc["details"]["reported_member"]: demo.scenario_cases[i]
        for i, sc in enumerate(truth["scenarios"])
        if sc["kind"] == "romance_scam_ring"
    }
    for cluster in result.clusters:
        case = cases.get(first.filed[cluster.cluster_id])
        assert set(case.subjects) == set(cluster.members) and "hunt" in case.tags
        assert case.custom["hunt"]["cluster_id"] == cluster.cluster_id
        for reported, planted in planted_case.items():
            if reported in cluster.members:  # linked to the frontline case of its member
                assert planted in case.related and planted in first.related[case.case_id]
    again = hunt.open_cases(hunt.rings(as_of=truth["anchor"]))
    assert not again.filed and set(again.existing) == set(first.filed)
    assert len([c for c in cases.list_cases() if "hunt" in c.tags]) == len(first.filed)


def test_coordinated_reporting_is_marked_on_the_target_case(wb_env, truth):
    """The false-reporting burst is marked automatically when the demo cases are filed, and
    shown on the case header and beside the decision form's precedents; the harassment case,
    reported by independent victims, is not marked."""
    from workbench import cases
    from workbench.demo.cases import file_demo_cases
    from workbench.hunt import coordinated
    from workbench.widgets.case_header import CaseHeader
    from workbench.widgets.decision_form import DecisionForm

    demo = file_demo_cases(wb_env, n_history=0, seed=7)
    by_kind = {sc["kind"]: demo.scenario_cases[i] for i, sc in enumerate(truth["scenarios"])}
    fr = next(s for s in truth["scenarios"] if s["kind"] == "false_reporting")["details"]
    case = cases.get(by_kind["false_reporting"])
    mark = coordinated.mark_of(case)
    assert mark and coordinated.TAG in case.tags
    assert mark["linked_reporters"] == len(fr["reporters"]) and mark["burst_reports"] >= 10
    assert set(mark["reasons"]) >= {"device", "ip"}
    assert not any(str(r) in json.dumps(mark) for r in fr["reporters"])  # no reporter ids
    for kind in ("harassment_campaign", "romance_scam_ring", "sextortion"):
        assert coordinated.mark_of(cases.get(by_kind[kind])) is None, kind
    line = coordinated.describe(mark)
    assert (
        "Coordinated reporting suspected" in line
        and f"{mark['linked_reporters']} reporters" in line
    )
    assert line in CaseHeader(case.case_id).flags.value.replace("&#x27;", "'")
    assert "Coordinated reporting suspected" in DecisionForm(case.case_id).flag.value
    assert CaseHeader(by_kind["harassment_campaign"]).flags.value == ""
    version = cases.get(case.case_id).version
    assert coordinated.mark_case(case.case_id) is not None  # idempotent: nothing changes
    assert cases.get(case.case_id).version == version


# --------------------------------------------------------------------------- views


def test_similar_clusters_and_emerging(swept, truth, hunt_env):
    from workbench import hunt
    from workbench.times import parse_timestamp

    ring = next(s for s in _rings(truth) if s["details"]["style"] == "small_template")
    mine = hunt.cluster_of(swept, ring["details"]["reported_member"])
    assert mine is not None and set(ring["users"]) <= set(mine.members)
    similar = hunt.similar_clusters(swept, mine, n=3)
    ring_ids = {
        c.cluster_id
        for c in swept.clusters
        if any(set(s["users"]) <= set(c.members) for s in _rings(truth))
    }
    assert mine.cluster_id not in set(similar["cluster_id"])
    assert set(similar["cluster_id"]) <= ring_ids  # the other rings are the most alike
    assert similar["similarity"].is_monotonic_decreasing
    # emerging: clusters that appeared in the week before a chosen day
    day = max(parse_timestamp(hunt.views.emerged_at(c)) for c in swept.clusters)
    week = hunt.emerging(swept, days=7, as_of=day)
    expected = [
        c
        for c in swept.clusters
        if day.timestamp() - 7 * 86400 <= parse_timestamp(hunt.views.emerged_at(c)).timestamp()
    ]
    assert week.clusters == expected and week.numbers["clusters"] == len(expected) >= 1
    assert week.numbers["accounts"] == sum(c.size for c in expected)
    assert list(week.table()["cluster_id"]) == [c.cluster_id for c in expected]


def test_hunt_widgets(wb_env, truth):
    from workbench import cases, hunt
    from workbench.widgets.hunt import EmergingClusters, SimilarClusters

    case = cases.create(
        category="scam_fraud", subjects=[_rings(truth)[0]["details"]["reported_member"]]
    )
    view = SimilarClusters(case.case_id)
    assert "hunt has not run" in view.message.value  # one line, no traceback
    result = hunt.rings(as_of=truth["anchor"])
    result.save()
    view = SimilarClusters(case.case_id)
    assert "This case's cluster" in view.body.value and "<table" in view.body.value
    panel = EmergingClusters(days=3650, as_of=truth["anchor"])
    assert f"<b>{len(result.clusters)}</b> clusters" in panel.numbers.value
    assert panel.body.value.count("HC-") == len(result.clusters)


def test_demo_cases_come_with_a_saved_hunt_and_the_views_render_without_a_kernel(wb_env, truth):
    """``workbench demo generate`` files the cases and saves a hunt at the anchor, so the scam
    template's "other clusters like this one" and the leads' "emerging clusters" show the
    planted rings; both widgets serialise to static HTML with no Jupyter server or kernel."""
    from ipywidgets.embed import dependency_state, embed_minimal_html

    from workbench import cases, hunt
    from workbench.demo.cases import file_demo_cases
    from workbench.widgets import EmergingClusters, SimilarClusters

    demo = file_demo_cases(wb_env, n_history=0, seed=7)
    saved = hunt.latest()
    assert demo.hunt_clusters == len(saved.clusters) and saved.ran_at.startswith(
        truth["anchor"][:10]
    )
    rings = _rings(truth)
    for ring in rings:  # every planted ring is in the saved sweep
        assert hunt.cluster_of(saved, ring["details"]["reported_member"]) is not None
    ring_case = next(
        demo.scenario_cases[i]
        for i, sc in enumerate(truth["scenarios"])
        if sc["kind"] == "romance_scam_ring"
    )
    assert cases.get(ring_case).category == "scam_fraud"
    similar = SimilarClusters(ring_case)
    assert (
        "This case's cluster" in similar.body.value and "similar clusters" in similar.message.value
    )
    emerging = EmergingClusters(days=3650)  # everything since the anchor's decade
    assert f"<b>{len(saved.clusters)}</b> clusters" in emerging.numbers.value
    assert "from the last hunt" in emerging.message.value
    victim = next(s for s in truth["scenarios"] if s["kind"] == "account_takeover")["users"][0]
    assert hunt.cluster_of(saved, victim) is None  # a takeover victim is in no ring
    outsider = cases.create(category="account_takeover", subjects=[victim])
    assert "is in a cluster of the last hunt" in SimilarClusters(outsider.case_id).message.value
    for view in (similar, emerging):
        page = wb_env.home / f"{type(view).__name__}.html"
        # only this view's widgets: the process may hold others from earlier tests
        embed_minimal_html(page, views=[view], state=dependency_state([view]), title="hunt view")
        text = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-state+json" in text and "HC-" in text
        assert "members" not in text  # clusters by id and numbers, no account ids listed


# --------------------------------------------------------------------------- CLI


def test_cli_hunt_rings_and_reports(wb_env, capsys):
    from workbench.cli import main

    assert main(["hunt", "rings", "--format", "json", "--open-cases"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert rows and rows[0]["rank"] == 1 and "reasons" in rows[0]
    assert f"cases: {len(rows)} filed" in captured.err
    assert main(["hunt", "rings", "--open-cases", "--min-size", "3"]) == 0
    captured = capsys.readouterr()
    assert "cases: 0 filed" in captured.err and "HC-" in captured.out
    for bad, needle in ((["--min-weight", "0"], "min weight"), (["--since", "soon"], "soon")):
        code = main(["hunt", "rings", *bad])
        err = capsys.readouterr().err
        assert code != 0 and len(err.strip().splitlines()) == 1 and needle in err, err
    assert main(["hunt", "reports"]) == 0
    assert "no coordinated reporting" in capsys.readouterr().out  # no cases filed here yet


@pytest.mark.postgres
def test_the_hunt_gives_the_same_clusters_on_postgresql(pg_env, truth, swept):
    from workbench import hunt

    on_pg = hunt.rings(as_of=truth["anchor"])
    assert [(c.members, c.kinds) for c in on_pg.clusters] == [
        (c.members, c.kinds) for c in swept.clusters
    ]


# --------------------------------------------------------------------------- benchmark metrics


def test_effectiveness_metrics_on_the_small_platform(hunt_env, truth, swept):
    from workbench.demo.effectiveness import evaluate

    eff = evaluate(truth, hunt=swept)
    assert {r.style for r in eff.rings} == {s["details"]["style"] for s in _rings(truth)}
    assert all(eff.targets_met.values()), eff.targets_met
    assert eff.takeover_in_order and eff.false_reporters_linked and eff.coordinated_flagged
    by = {r.style: r for r in eff.rings}
    assert by["rotating_devices"].recall_1hop < 1.0 == by["rotating_devices"].recall_2hop
    assert all(r.hunt_rank <= TOP and not r.decoys_linked for r in eff.rings)
    unweighted = evaluate(truth, hunt=swept, min_weight=1e-6)
    assert any(r.decoys_linked for r in unweighted.rings)  # the decoys are there to be met
    assert min(r.precision_2hop for r in unweighted.rings) < 0.95
    assert len(eff.table()) == len(eff.rings)
