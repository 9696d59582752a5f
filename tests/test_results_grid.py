"""The results grid: key columns first, times in the display zone to the second, a "no rows"
line, the browser's selection (positions in the frame it was given) becoming evidence rows of
the original result with their provenance, and one line when there is nothing to add."""

from __future__ import annotations

import pandas as pd


def _result(case_id: str, n: int = 3) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "body": [f"message {i}" for i in range(n)],
            "extra": [None] + [[1, 2]] * (n - 1),
            "sent_at": pd.to_datetime([f"2026-10-23 12:49:06.{i:06d}" for i in range(n)], utc=True),
            "new_country": [True, False, True][:n],
            "user_id": list(range(100, 100 + n)),
        }
    )
    df.attrs["provenance"] = {"query": "messages_by_user", "case": case_id, "rows": n}
    return df


def test_display_frame_orders_key_columns_and_writes_times_to_the_second():
    from zoneinfo import ZoneInfo

    from workbench.widgets.results_grid import NA, display_frame

    df = _result("ESC-2026-000001")
    shown = display_frame(df, ZoneInfo("Europe/Berlin"))
    assert list(shown.columns) == ["user_id", "sent_at", "new_country", "body", "extra"]
    assert shown["sent_at"][0] == "2026-10-23 14:49:06"  # CEST, no microseconds
    assert shown["new_country"].tolist() == ["yes", "no", "yes"]
    assert shown["extra"].tolist() == [NA, "1, 2", "1, 2"]
    assert shown["user_id"].dtype.kind == "i"  # numbers sort as numbers


def test_the_grid_says_no_rows_and_adds_the_selected_rows_to_evidence(store_env):
    from workbench import cases
    from workbench.evidence import items as evidence
    from workbench.widgets.results_grid import ResultsGrid

    c = cases.create(category="scam_fraud", subjects=[100])
    grid = ResultsGrid(case_id=c.case_id, title="messages")
    assert "no result yet" in grid.empty.value and grid.grid.layout.display == "none"
    grid.show(_result(c.case_id).iloc[0:0])
    assert "no rows" in grid.empty.value and grid.add_all_btn.disabled

    heard: list[int] = []
    grid.on_select = lambda rows: heard.append(len(rows))
    grid.show(_result(c.case_id))
    assert grid.grid.layout.display == "" and "3 rows" in grid.caption.value
    assert "times in UTC" in grid.caption.value
    assert grid.add_selected_btn.disabled
    grid.add_selected_btn.click()  # nothing selected: one line, nothing recorded
    assert "no rows selected" in grid.message.value and "wb-error" in grid.message.value
    assert evidence.list_items(c.case_id) == []
    grid.select([2, 0])  # what clicking rows in the browser sets (positions, any order)
    assert heard[-1] == 2 and grid.add_selected_btn.description == "Add 2 selected to evidence"
    grid.add_selected_btn.click()
    assert "added 2 rows to evidence as E0001" in grid.message.value
    (item,) = evidence.list_items(c.case_id)
    rows = evidence.load_frame(item)
    assert rows["user_id"].tolist() == [102, 100]  # the original rows, not the display copy
    assert rows["sent_at"].dt.microsecond.tolist() == [2, 0]
    assert item.details["provenance"]["query"] == "messages_by_user"
    grid.show(_result(c.case_id, 2))  # a new result clears the selection
    assert len(grid.selected) == 0 and heard[-1] == 0


def test_rows_beyond_what_the_browser_gets_still_go_to_evidence(store_env, monkeypatch):
    from workbench import cases
    from workbench.evidence import items as evidence
    from workbench.widgets import results_grid
    from workbench.widgets.results_grid import ResultsGrid

    monkeypatch.setattr(results_grid, "MAX_SHOWN", 2)
    c = cases.create(category="scam_fraud", subjects=[100])
    grid = ResultsGrid(_result(c.case_id), case_id=c.case_id)
    assert "the first 2 shown; evidence takes all" in grid.caption.value
    grid.add_all_btn.click()
    assert "added 3 rows" in grid.message.value
    assert len(evidence.load_frame(evidence.list_items(c.case_id)[0])) == 3
