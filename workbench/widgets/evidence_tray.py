"""Evidence tray for the case notebook: list, preview, add, bundle with a progress bar, verify.

A thin view over :mod:`workbench.evidence` and :mod:`workbench.evidence.bundle`::

    tray = EvidenceTray(CASE)
    tray.offer("messages 42", df)                 # a query result or timeline excerpt to pick from
    tray.add_query_result(df)                     # or collect straight away
    tray

Media previews are blurred and greyscaled until the specialist chooses to look.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import ipywidgets as w
import pandas as pd

from workbench.config import settings
from workbench.errors import WorkbenchError
from workbench.evidence import items as evidence
from workbench.evidence.bundle import create_bundle, verify_bundle
from workbench.evidence.redaction import AUDIENCES
from workbench.widgets.panel import Panel


class EvidenceTray(Panel):
    """``EvidenceTray("ESC-2026-000123")``."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        evidence.case_info(case_id)  # unknown case: fail now, not on first click
        self._offers: dict[str, tuple[str, pd.DataFrame]] = {}
        self.table = w.HTML()
        self.picker = w.Dropdown(description="Preview", layout=w.Layout(width="420px"))
        self.reveal = w.ToggleButton(
            description="Show media",
            value=False,
            tooltip="Media are blurred and grey until you choose to look",
        )
        self.preview = w.Output(layout=w.Layout(max_height="360px", overflow="auto"))
        self.offered = w.Dropdown(description="Offered", options=[], layout=w.Layout(width="420px"))
        self.add_offer_btn = w.Button(description="Add to evidence", icon="plus")
        self.note = w.Textarea(
            placeholder="Note (Markdown)", layout=w.Layout(width="560px", height="70px")
        )
        self.add_note_btn = w.Button(description="Add note", icon="sticky-note")
        self.audience = w.Dropdown(
            options=list(AUDIENCES), value="internal", description="Audience"
        )
        self.out = w.Text(
            value=str(settings().cases_dir / case_id / "bundles"),
            description="Folder",
            layout=w.Layout(width="480px"),
        )
        self.why = w.Text(placeholder="reason for the handover", description="Why")
        self.bundle_btn = w.Button(
            description="Create bundle", icon="archive", button_style="primary"
        )
        self.progress = w.IntProgress(value=0, min=0, max=100, description="", bar_style="info")
        self.verify_path = w.Text(
            placeholder="path of a bundle .zip",
            description="Bundle",
            layout=w.Layout(width="480px"),
        )
        self.verify_btn = w.Button(description="Verify", icon="check")
        self.message = self.status_line()
        self.picker.observe(lambda _: self._show_preview(), names="value")
        self.reveal.observe(lambda _: self._show_preview(), names="value")
        self.add_offer_btn.on_click(lambda _: self._act(self._add_offered))
        self.add_note_btn.on_click(lambda _: self._act(self._add_note))
        self.bundle_btn.on_click(lambda _: self._act(self._bundle))
        self.verify_btn.on_click(lambda _: self._act(self._verify))
        super().__init__(
            [
                w.HTML(f"<h3>Evidence — {html.escape(case_id)}</h3>"),
                self.table,
                w.HBox([self.picker, self.reveal]),
                self.preview,
                w.HBox([self.offered, self.add_offer_btn]),
                w.HBox([self.note, self.add_note_btn]),
                w.HBox([self.audience, self.out]),
                w.HBox([self.why, self.bundle_btn, self.progress]),
                w.HBox([self.verify_path, self.verify_btn]),
                self.message,
            ]
        )
        self.add_class("wb-evidence-tray")
        self.reload()
        # evidence collected anywhere in this kernel (the timeline, a grid, a cell) shows here
        self.listen(case_id, ("evidence",), self.reload)

    # -- data in
    def offer(self, name: str, df: pd.DataFrame, kind: str = "query_result") -> None:
        """Make a query result (``kind="query_result"``) or timeline excerpt (``"timeline"``) pickable."""
        self._offers[name] = (kind, df)
        self.offered.options = list(self._offers)
        self.offered.value = name

    def add_query_result(self, df: pd.DataFrame, **kw) -> evidence.EvidenceItem:
        item = evidence.add_query_result(self.case_id, df, **kw)
        self.reload(select=item.label)
        return item

    def add_timeline_excerpt(self, df: pd.DataFrame, **kw) -> evidence.EvidenceItem:
        item = evidence.add_timeline_excerpt(self.case_id, df, **kw)
        self.reload(select=item.label)
        return item

    def _add_offered(self) -> str:
        if not self.offered.value:
            raise WorkbenchError("nothing offered yet", "run a query or pick timeline rows first")
        kind, df = self._offers[self.offered.value]
        item = (
            self.add_timeline_excerpt(df, title=self.offered.value)
            if kind == "timeline"
            else self.add_query_result(df, title=self.offered.value)
        )
        return f"collected {item.label} (sha256 {item.sha256[:12]}…)"

    def _add_note(self) -> str:
        item = evidence.add_note(self.case_id, self.note.value)
        self.note.value = ""
        self.reload(select=item.label)
        return f"collected {item.label}"

    # -- bundles
    def _bundle(self) -> str:
        folder = Path(self.out.value).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        self.progress.value, self.progress.bar_style = 0, "info"

        def tick(done: int, total: int, _label: str) -> None:
            self.progress.value = int(100 * done / total) if total else 100

        res = create_bundle(
            self.case_id, self.audience.value, folder, why=self.why.value or None, progress=tick
        )
        self.progress.value, self.progress.bar_style = 100, "success"
        self.verify_path.value = str(res.path)
        self.reload()
        return (
            f"wrote {res.path.name}: {res.items} items, {res.omitted} left out for "
            f"{res.audience}, root hash {res.root_hash[:16]}…"
        )

    def _verify(self) -> str:
        report = verify_bundle(self.verify_path.value.strip())
        if report.ok:
            return f"{report.path.name}: OK — {report.files_checked} files, {report.custody_events} custody events"
        raise WorkbenchError(f"{report.path.name} FAILED: " + "; ".join(report.problems))

    # -- view
    def _act(self, fn) -> None:
        try:
            self.say(fn(), "ok")
        except WorkbenchError as err:
            self.progress.bar_style = "danger" if self.progress.value else self.progress.bar_style
            self.say(str(err), "error")
        except Exception as err:  # never silent: a bug still says what failed, in one line
            self.progress.bar_style = "danger"
            first = (str(err).splitlines() or [""])[0][:200]
            self.say(f"failed: {type(err).__name__}: {first}", "error")

    def reload(self, select: str | None = None) -> None:
        df = evidence.items_frame(self.case_id)
        if df.empty:
            self.table.value = "<i class='wb-no-evidence'>No evidence yet.</i>"
        else:
            shown = df.assign(
                sha256=df["sha256"].str[:12] + "…",
                collected_at=df["collected_at"].dt.strftime("%Y-%m-%d %H:%M UTC"),
            )
            self.table.value = shown.to_html(index=False, escape=True)
        self.picker.options = [(f"{r.item} {r.kind}: {r.title}", r.item) for r in df.itertuples()]
        if select:
            self.picker.value = select

    def _show_preview(self) -> None:
        self.preview.clear_output()
        if not self.picker.value:
            return
        item = evidence.get_item(self.case_id, self.picker.value)
        with self.preview:
            from IPython.display import HTML, display

            if item.is_table:
                display(evidence.load_frame(item).head(50))
            elif item.media_type.startswith("image/"):
                display(w.Image(value=self._image(item), format="png"))
            elif item.media_type.startswith("text/") or item.media_type.endswith("json"):
                with evidence.open_payload(item) as fh:
                    text = fh.read(20_000).decode("utf-8", "replace")
                display(HTML(f"<pre dir='auto'>{html.escape(text)}</pre>"))
            else:
                display(
                    HTML(
                        f"{html.escape(item.media_type)}, {item.size} bytes — "
                        f"open {html.escape(str(item.path))} to view"
                    )
                )

    def _image(self, item: evidence.EvidenceItem) -> bytes:
        from PIL import Image, ImageFilter

        with evidence.open_payload(item) as fh:
            img = Image.open(fh)
            img.thumbnail((480, 480))
            if not self.reveal.value:  # protect the specialist until they choose to look
                img = img.convert("L").filter(ImageFilter.GaussianBlur(12))
            buf = io.BytesIO()
            img.save(buf, format="PNG")
        return buf.getvalue()
