"""Hunt views: "other clusters like this one" (the scam template) and "emerging clusters this
week" (the leads' dashboard). Thin: they read the last saved sweep (``workbench hunt rings``)
and call :mod:`workbench.hunt.views`.
"""

from __future__ import annotations

import html

import ipywidgets as w

from workbench import cases, hunt
from workbench.widgets.panel import Panel


def _table(df) -> str:
    return df.to_html(index=False, escape=True, border=0) if len(df) else ""


class SimilarClusters(Panel):
    """``SimilarClusters("ESC-2026-000123")``: the cluster the case's subjects belong to, and
    the clusters most like it."""

    def __init__(self, case_id: str, *, n: int = 5) -> None:
        self.case_id, self.n = case_id, n
        self.body = w.HTML()
        super().__init__(
            [
                w.HTML("<h4 style='margin:4px 0'>Other clusters like this one</h4>"),
                self.body,
                self.status_line(),
            ]
        )
        self.attempt(self.show)

    def show(self) -> str:
        """Fill the panel; returns its status line (``Panel.attempt`` shows it)."""
        case = cases.get(self.case_id)
        result = hunt.latest()
        mine = next((c for u in case.subjects if (c := hunt.cluster_of(result, u))), None)
        if mine is None:
            self.body.value = ""
            return (
                f"no subject of {self.case_id} is in a cluster of the last hunt ({result.ran_at})"
            )
        similar = hunt.similar_clusters(result, mine, n=self.n)
        self.body.value = (
            f"<p>This case's cluster <b>{html.escape(mine.cluster_id)}</b>: "
            f"{html.escape(mine.summary())}</p>" + _table(similar)
        )
        return f"{len(similar)} similar clusters in the hunt of {result.ran_at}"


class EmergingClusters(Panel):
    """``EmergingClusters(days=7)``: clusters that appeared this week, with the numbers."""

    def __init__(self, *, days: float = 7, as_of=None) -> None:
        self.days, self.as_of = days, as_of
        self.numbers = w.HTML()
        self.body = w.HTML()
        super().__init__(
            [
                w.HTML("<h4 style='margin:4px 0'>Emerging clusters this week</h4>"),
                self.numbers,
                self.body,
                self.status_line(),
            ]
        )
        self.attempt(self.show)

    def show(self) -> str:
        """Fill the panel; returns its status line (``Panel.attempt`` shows it)."""
        found = hunt.emerging(hunt.latest(), days=self.days, as_of=self.as_of)
        n = found.numbers
        self.numbers.value = (
            f"<p><b>{n['clusters']}</b> clusters · <b>{n['accounts']}</b> accounts · "
            f"<b>{n['reporters']}</b> reporters · <b>${n['usd_asked']:,.0f}</b> asked for</p>"
        )
        self.body.value = _table(found.table())
        return f"{found.since:%Y-%m-%d} to {found.until:%Y-%m-%d} (UTC), from the last hunt"
