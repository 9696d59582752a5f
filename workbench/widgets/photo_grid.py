"""Photo grid: blurred greyscale previews by default, one photo revealed at a time.

A thin view over :mod:`workbench.content.media`: the browser only ever receives the server-made
blurred preview until the specialist presses *Reveal* on one tile; that reveal is recorded on the
case (the exposure figure). Revealing another tile re-blurs the first. Analysts who turned blur
off see clear images, and each one shown still counts as exposure.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as w

from workbench import content
from workbench.content import media as media_view
from workbench.errors import WorkbenchError
from workbench.widgets.panel import Panel


class PhotoTile(w.VBox):
    """One photo: the image (blurred unless revealed), a caption and a reveal/hide button."""

    def __init__(self, grid: PhotoGrid, ref: str | media_view.MediaItem, caption: str = "") -> None:
        self.grid = grid
        self.item = ref  # a reference ("photo:12") or a MediaItem
        self.ref = ref.ref if isinstance(ref, media_view.MediaItem) else str(ref)
        self.revealed = False
        self.image = w.Image(
            format="png", layout=w.Layout(width="160px", height="160px", object_fit="contain")
        )
        self.button = w.Button(
            description="Reveal",
            icon="eye",
            layout=w.Layout(width="160px"),
            tooltip="Show this photo clearly (recorded as exposure)",
        )
        self.button.on_click(lambda _: grid.toggle(self))
        self.caption = w.HTML(f"<small>{html.escape(caption or self.ref)}</small>")
        super().__init__(
            [self.image, self.caption, self.button],
            layout=w.Layout(margin="4px", align_items="center"),
        )

    def show_preview(self) -> None:
        self.image.value = media_view.preview(self.item)
        self.revealed = False
        self.button.description, self.button.icon = "Reveal", "eye"

    def show_clear(self) -> None:
        data, _ = media_view.reveal(self.grid.case_id, self.item)
        self.image.value = data
        self.revealed = True
        self.button.description, self.button.icon = "Hide", "eye-slash"


class PhotoGrid(Panel):
    """``PhotoGrid(case_id, refs=["photo:1", ...])`` or ``PhotoGrid.for_user(case_id, user_id)``."""

    def __init__(
        self,
        case_id: str,
        refs: Sequence[str | media_view.MediaItem],
        captions: Sequence[str] | None = None,
        *,
        blur: bool | None = None,
    ) -> None:
        self.case_id = case_id
        prefs = media_view.preference()
        self.blur = prefs.blur if blur is None else bool(blur)
        caps = list(captions) if captions is not None else [""] * len(refs)
        self.tiles = [PhotoTile(self, r, c) for r, c in zip(refs, caps)]
        self.message = self.status_line()
        self.blur_toggle = w.Checkbox(
            value=self.blur, description="Blur media by default", indent=False
        )
        self.blur_toggle.observe(self._on_blur, names="value")
        grid = (
            w.GridBox(self.tiles, layout=w.Layout(grid_template_columns="repeat(auto-fill, 172px)"))
            if self.tiles
            else w.HTML("<i>No photos.</i>")
        )
        super().__init__([self.blur_toggle, grid, self.message])
        self._render_all()

    @classmethod
    def for_user(cls, case_id: str, user_id: int, **kw) -> PhotoGrid:

        df = content.photos(user_id)
        refs = [f"photo:{int(p)}" for p in df["photo_id"]]
        caps = [
            f"photo {int(r.photo_id)}{' · primary' if r.is_primary else ''}{' · removed' if r.status != 'active' else ''}"
            for r in df.itertuples()
        ]
        return cls(case_id, refs, caps, **kw)

    @property
    def revealed(self) -> list[str]:
        return [t.ref for t in self.tiles if t.revealed]

    def _render_all(self) -> None:
        try:
            for t in self.tiles:
                t.show_preview() if self.blur else t.show_clear()
                t.button.disabled = not self.blur
        except WorkbenchError as err:
            self.say(str(err), "error")

    def toggle(self, tile: PhotoTile) -> None:
        """Reveal ``tile`` (hiding any other revealed tile) or hide it again."""
        try:
            if tile.revealed:
                tile.show_preview()
                return
            for other in self.tiles:
                if other.revealed and other is not tile:
                    other.show_preview()
            tile.show_clear()
            self.message.value = ""
        except WorkbenchError as err:
            self.say(str(err), "error")

    def _on_blur(self, change) -> None:
        try:
            media_view.set_preference(blur=bool(change["new"]))
        except WorkbenchError as err:
            self.say(str(err), "error")
            return
        self.blur = bool(change["new"])
        self._render_all()


class CasePhotos(Panel):
    """``CasePhotos(case_id)``: the photo grid of one subject of the case at a time (a selector
    lists them all, and follows the case when subjects are added)."""

    def __init__(self, case_id: str, *, blur: bool | None = None) -> None:
        self.case_id = case_id
        self.blur = blur
        self.w_subject = w.Dropdown(description="Subject", layout=w.Layout(width="260px"))
        self.body = w.VBox()
        self.message = self.status_line()
        self._updating = False
        self.w_subject.observe(
            lambda _c: None if self._updating else self.attempt(self._show), names="value"
        )
        super().__init__([self.w_subject, self.body, self.message])
        self.add_class("wb-case-photos")
        self.attempt(self.refresh)
        self.listen(case_id, ("subjects",), self.refresh)

    @property
    def grid(self) -> PhotoGrid | None:
        return next((c for c in self.body.children if isinstance(c, PhotoGrid)), None)

    def refresh(self) -> None:
        from workbench import cases

        subjects = cases.get(self.case_id).subjects
        keep = self.w_subject.value
        self._updating = True
        try:
            self.w_subject.options = [(f"user {u}", u) for u in subjects]
            if subjects:
                self.w_subject.value = keep if keep in subjects else subjects[0]
        finally:
            self._updating = False
        if not subjects:
            self.body.children = [w.HTML("<i>The case has no subjects.</i>")]
            return
        self._show()

    def _show(self) -> None:
        if self.w_subject.value is None:
            return
        self.body.children = [
            PhotoGrid.for_user(self.case_id, int(self.w_subject.value), blur=self.blur)
        ]
