"""Evidence tray widget: a thin view that collects, bundles and verifies through the core."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from workbench import cases
from workbench.evidence import items as evidence


def test_tray_collects_bundles_with_progress_and_verifies(wb_env, tmp_path):
    from workbench.platform.engine import platform_engine
    from workbench.widgets.evidence_tray import EvidenceTray

    with platform_engine().connect() as conn:
        subject = conn.execute(text("SELECT min(user_id) FROM users")).scalar()
    cid = cases.create(category="scam_fraud", summary="tray", subjects=[subject]).case_id
    tray = EvidenceTray(cid)
    assert "No evidence yet" in tray.table.value
    tray.note.value = "Asked for <gift cards>"
    tray.add_note_btn.click()
    assert "collected E0001" in tray.message.value and tray.note.value == ""
    df = pd.DataFrame({"user_id": [subject], "n": [3]})
    df.attrs["provenance"] = {"query": "user_overview", "params": {"user_id": subject}, "case": cid}
    tray.offer("overview", df)
    tray.add_offer_btn.click()
    tray.offer("timeline rows", pd.DataFrame({"event": ["login"]}), kind="timeline")
    tray.add_offer_btn.click()
    kinds = [i.kind for i in evidence.list_items(cid)]
    assert kinds == ["note", "query_result", "timeline_excerpt"]
    assert "&lt;gift cards&gt;" in tray.table.value or "E0001" in tray.table.value
    tray.picker.value = "E0001"  # preview renders without error

    ticks = []
    tray.progress.observe(lambda c: ticks.append(c["new"]), names="value")
    tray.audience.value = "external"
    tray.out.value = str(tmp_path)
    tray.bundle_btn.click()
    assert "wrote " in tray.message.value, tray.message.value
    assert tray.progress.value == 100 and tray.progress.bar_style == "success" and ticks
    tray.verify_btn.click()
    assert ": OK" in tray.message.value
    tray.verify_path.value = str(tmp_path / "missing.zip")
    tray.verify_btn.click()
    assert "no bundle at" in tray.message.value
