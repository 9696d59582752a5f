"""Message thread: both sides of a conversation, a language tag per message, risky phrases
marked, and search within the thread.

Each message body is HTML-escaped and carries ``lang`` and ``dir`` attributes (``rtl`` for Arabic
and Urdu, ``auto`` when the language is unknown) with ``unicode-bidi: plaintext``, so right-to-left
and CJK text lay out correctly next to left-to-right text. Rendering is a pure function of the
tagged messages (:func:`thread_html`); the data comes from :func:`workbench.content.thread`.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from workbench import content
from workbench.config import settings
from workbench.content.language import find
from workbench.content.risk_terms import CATEGORY_LABELS, find_risky
from workbench.errors import WorkbenchError
from workbench.widgets.panel import status_html

_STYLE = """<style>
.wb-thread{font-family:system-ui,'Noto Sans','Noto Sans CJK JP','Noto Naskh Arabic','Noto Nastaliq Urdu',sans-serif;max-width:760px}
.wb-msg{margin:6px 0;padding:6px 10px;border-radius:10px;max-width:75%;line-height:1.6}
.wb-left{background:#f1f3f4;margin-right:auto}
.wb-right{background:#e3f2fd;margin-left:auto}
.wb-meta{font-size:75%;color:#555;unicode-bidi:isolate}
.wb-body{unicode-bidi:plaintext;white-space:pre-wrap;word-break:break-word}
.wb-lang{font-size:70%;background:#607d8b;color:#fff;border-radius:3px;padding:0 4px;margin-left:4px}
.wb-risk{background:#ffcdd2;border-bottom:2px solid #c62828}
.wb-hit{background:#fff59d}
.wb-hit.wb-risk{background:#ffab91}
</style>"""


def _marked(text: str, risk: list, hits: list[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with risky phrases and search hits wrapped in ``<mark>``."""
    classes: list[set[str]] = [set() for _ in text]
    titles: list[str | None] = [None] * len(text)
    for h in risk:
        for i in range(h.start, min(h.end, len(text))):
            classes[i].add("wb-risk")
            titles[i] = CATEGORY_LABELS.get(h.category, h.category)
    for s, e in hits:
        for i in range(s, min(e, len(text))):
            classes[i].add("wb-hit")
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and classes[j] == classes[i] and titles[j] == titles[i]:
            j += 1
        seg = html.escape(text[i:j])
        if classes[i]:
            title = f" title='{html.escape(titles[i])}'" if titles[i] else ""
            out.append(f"<mark class='{' '.join(sorted(classes[i]))}'{title}>{seg}</mark>")
        else:
            out.append(seg)
        i = j
    return "".join(out)


def thread_html(
    messages: pd.DataFrame, *, right_user: int | None = None, query: str | None = None, tz=None
) -> str:
    """The thread as HTML. ``right_user``'s messages sit on the right (default: the second
    sender); ``query`` highlights matches (any script, case- and accent-insensitive)."""
    if messages.empty:
        return _STYLE + "<div class='wb-thread'><i>No messages.</i></div>"
    senders = list(dict.fromkeys(int(s) for s in messages["sender_id"]))
    right = right_user if right_user is not None else (senders[1] if len(senders) > 1 else None)
    parts = [_STYLE, "<div class='wb-thread'>"]
    for r in messages.itertuples(index=False):
        body = r.body if isinstance(r.body, str) else ""
        side = "wb-right" if right is not None and int(r.sender_id) == right else "wb-left"
        lang = getattr(r, "lang", "und") or "und"
        direction = getattr(r, "direction", "auto") or "auto"
        hits = find(body, query) if query else []
        ts = pd.Timestamp(r.sent_at)
        when = (ts.tz_convert(tz) if tz is not None and ts.tzinfo else ts).strftime(
            "%Y-%m-%d %H:%M %Z"
        )
        media = " · 📎 media" if getattr(r, "has_media", False) else ""
        parts.append(
            f"<div class='wb-msg {side}' data-message-id='{int(r.message_id)}'>"
            f"<div class='wb-meta'>user {int(r.sender_id)} · {html.escape(when)}{media}"
            f"<span class='wb-lang' title='detected language'>{html.escape(lang)}</span></div>"
            f"<div class='wb-body' lang='{html.escape(lang if lang != 'und' else '')}' "
            f"dir='{html.escape(direction)}'>{_marked(body, find_risky(body), hits)}</div></div>"
        )
    parts.append("</div>")
    return "".join(parts)


class ThreadView(w.VBox):
    """``ThreadView(conversation_id, right_user=None)``: the conversation with a search box."""

    def __init__(self, conversation_id: int, *, right_user: int | None = None) -> None:

        self.conversation_id = conversation_id
        self.right_user = right_user
        self.tz = settings().tz
        self.messages = content.thread(conversation_id)
        self.search = w.Text(
            placeholder="Search this thread (any language)…", layout=w.Layout(width="360px")
        )
        self.search.observe(lambda _: self.render(), names="value")
        self.status = w.HTML()
        self.body = w.HTML()
        langs = ", ".join(f"{k} ({v})" for k, v in self.messages["lang"].value_counts().items())
        risky = int(self.messages["risk"].map(bool).sum())
        self.summary = w.HTML(
            f"<small>{len(self.messages)} messages · languages: {html.escape(langs)}"
            f" · {risky} with risky phrases (marked red; times in {self.tz.key})</small>"
        )
        super().__init__([w.HBox([self.search, self.status]), self.summary, self.body])
        self.render()

    def render(self) -> None:
        q = self.search.value.strip() or None
        try:
            if q:
                found = content.search_thread(self.messages, q)
                self.status.value = f"<small>{len(found)} message(s) match</small>"
            else:
                self.status.value = ""
        except WorkbenchError as err:
            self.status.value = status_html(str(err), "error")
        self.body.value = thread_html(
            self.messages, right_user=self.right_user, query=q, tz=self.tz
        )
