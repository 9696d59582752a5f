"""Audio and video players that send nothing until revealed, then play muted.

Before the reveal the browser gets a neutral card (no media bytes at all). *Reveal* records the
exposure on the case and embeds the media with ``muted`` set and no autoplay, so sound only
starts when the specialist unmutes it in the player.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w

from workbench.content import media as media_view
from workbench.errors import WorkbenchError
from workbench.widgets.panel import Panel


def player_html(kind: str, data: bytes, media_type: str) -> str:
    """An HTML5 player for ``data``: muted, controls shown, never autoplaying."""
    tag = "video" if kind == "video" else "audio"
    src = f"data:{html.escape(media_type)};base64,{base64.b64encode(data).decode('ascii')}"
    size = " width='320'" if tag == "video" else ""
    return (
        f"<{tag} controls muted preload='metadata'{size} "
        f"style='filter:none'><source src='{src}' type='{html.escape(media_type)}'></{tag}>"
    )


class MediaPlayer(Panel):
    """``MediaPlayer(case_id, "attachment:42")`` for audio and video attachments."""

    def __init__(self, case_id: str, ref: str) -> None:
        self.case_id = case_id
        self.item = media_view.item(ref)
        if self.item.kind not in ("audio", "video"):
            raise WorkbenchError(
                f"{ref} is an {self.item.kind}, not audio or video", "show images with PhotoGrid"
            )
        self.muted = True
        self.revealed = False
        self.poster = w.Image(
            value=media_view.preview(self.item), format="png", layout=w.Layout(width="240px")
        )
        self.player = w.HTML()
        self.button = w.Button(description=f"Reveal {self.item.kind} (muted)", icon="eye")
        self.button.on_click(lambda _: self.reveal())
        self.message = self.status_line()
        super().__init__(
            [
                w.HTML(f"<b>{html.escape(self.item.label)}</b>"),
                self.poster,
                self.player,
                self.button,
                self.message,
            ]
        )

    def reveal(self) -> None:
        if self.revealed:
            return
        try:
            data, media_type = media_view.reveal(self.case_id, self.item)
        except WorkbenchError as err:
            self.say(str(err), "error")
            return
        self.player.value = player_html(self.item.kind, data, media_type)
        self.poster.layout.display = "none"
        self.revealed, self.button.disabled = True, True
