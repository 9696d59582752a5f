"""Reply composer: a draft from a template, editable, with the channel's length limit shown and
enforced, the disclosure guard run before saving, and the tone checklist with a readability
figure beside the draft. Every rule lives in :mod:`workbench.replies`; this only shows it.

The reply goes to the scenario's member unless another is named (the subject for an action on
their account, the reporting member for a scam victim), greeted by the name they chose. A
scenario that says what was decided waits for the decision: the composer asks for it, and
drafts the reply as soon as the decision form (or anything else) records it.
"""

from __future__ import annotations

import html

import ipywidgets as w

from workbench import replies
from workbench.errors import WorkbenchError
from workbench.widgets.panel import Panel, status_html


def highlighted(result: replies.CheckResult) -> str:
    """The draft as escaped HTML with every finding marked (the reason in a tooltip)."""
    text, marks = result.text, [f for f in result.findings if f.kind != "length"]
    out, pos = [], 0
    for f in sorted(marks, key=lambda f: f.start):
        if f.start < pos:
            continue
        out.append(html.escape(text[pos : f.start]))
        out.append(
            f"<mark style='background:#ffcdd2' title='{html.escape(f.reason)}'>"
            f"{html.escape(text[f.start : f.end])}</mark>"
        )
        pos = f.end
    out.append(html.escape(text[pos:]))
    return f"<div dir='auto' style='white-space:pre-wrap;border:1px solid #ddd;padding:6px'>{''.join(out)}</div>"


class ReplyComposer(Panel):
    """``ReplyComposer(case_id, scenario="scam_victim", channel="email", recipient=None)``."""

    def __init__(
        self,
        case_id: str,
        *,
        scenario: str = "scam_victim",
        channel: str = "email",
        recipient: int | None = None,
        **template_values,
    ) -> None:
        self.case_id = case_id
        self.chosen_recipient = recipient
        self.recipient = recipient
        self.template_values = template_values
        self.scenario = w.Dropdown(
            options=list(replies.SCENARIOS),
            value=replies.check_scenario(scenario),
            description="Scenario",
        )
        self.channel = w.Dropdown(
            options=list(replies.CHANNELS),
            value=replies.check_channel(channel),
            description="Channel",
        )
        self.fill_btn = w.Button(description="Fill from template", icon="file-text-o")
        self.to = w.HTML()
        self.text = w.Textarea(layout=w.Layout(width="100%", height="260px"))
        self.counter = w.HTML()
        self.findings = w.HTML()
        self.preview = w.HTML()
        self.tone = w.HTML()
        self.save_btn = w.Button(
            description="Save reply", icon="check", button_style="success", disabled=True
        )
        self.message = self.status_line()
        self.result: replies.CheckResult | None = None
        self._contexts: dict[str, replies.DisclosureContext] = {}
        self.fill_btn.on_click(lambda _: self.fill())
        self.scenario.observe(lambda _: self.fill(), names="value")
        self.save_btn.on_click(lambda _: self.save())
        self.text.observe(lambda _: self.run_check(), names="value")
        self.channel.observe(lambda _: self.run_check(), names="value")
        left = w.VBox(
            [
                w.HBox([self.scenario, self.channel, self.fill_btn]),
                self.to,
                self.text,
                self.counter,
                self.findings,
                self.preview,
                w.HBox([self.save_btn, self.message]),
            ],
            layout=w.Layout(width="68%"),
        )
        right = w.VBox([w.HTML("<b>Tone checklist</b>"), self.tone], layout=w.Layout(width="30%"))
        super().__init__([w.HBox([left, right])])
        self.add_class("wb-reply-composer")
        self.fill()
        self.listen(case_id, ("decision",), self._decided)
        # the guard checks against the case's notes and the people its evidence names
        self.listen(case_id, ("evidence", "notes", "subjects"), self._recheck)

    def _recheck(self) -> None:
        self._contexts.clear()
        self.run_check()

    def _decided(self) -> None:
        # the decision the draft waited for (or a newer one): draft again, unless the
        # specialist has started writing their own
        if not self.text.value.strip() or self.text.value == self._drafted:
            self.fill()

    # The guard's context is read once per channel (public channels allow no recipient details).
    def _context(self) -> replies.DisclosureContext:
        ch = self.channel.value
        if ch not in self._contexts:
            self._contexts[ch] = replies.build_context(
                self.case_id, recipient=self.recipient, channel=ch
            )
        return self._contexts[ch]

    def _who(self) -> None:
        """The recipient: the one named, else the scenario's member; shown above the draft."""
        self.recipient = self.chosen_recipient
        if self.recipient is None and self.channel.value not in replies.PUBLIC_CHANNELS:
            self.recipient = replies.default_recipient(self.case_id, self.scenario.value)
        self._contexts.clear()
        self.to.value = (
            f"<small>To: member {self.recipient} (greeted by the name they chose)</small>"
            if self.recipient is not None
            else "<small>To: the public (no names, no account details)</small>"
            if self.channel.value in replies.PUBLIC_CHANNELS
            else "<small>To: nobody named yet</small>"
        )

    _drafted = ""

    def fill(self) -> None:
        """Draft the reply from the template (or say what is missing first)."""
        try:
            self._who()
            if replies.needs_decision(self.case_id, self.scenario.value):
                self.text.value = ""
                self.save_btn.disabled = True
                self.say(
                    "Record the decision first: this reply tells the member what was decided. "
                    "The draft appears here once it is saved.",
                    "info",
                )
                return
            d = replies.draft(
                self.case_id,
                self.scenario.value,
                self.channel.value,
                recipient=self.recipient,
                **self.template_values,
            )
        except WorkbenchError as err:
            self.say(str(err), "error")
            return
        self.message.value = ""
        self._drafted = d.text
        self.text.value = d.text
        self.run_check()

    def run_check(self) -> replies.CheckResult | None:
        if not self.text.value.strip():  # nothing written (yet): nothing to check or save
            self.result = None
            self.save_btn.disabled = True
            self.counter.value = self.findings.value = self.preview.value = ""
            return None
        try:
            self.result = replies.check(
                self.text.value,
                case=self.case_id,
                channel=self.channel.value,
                recipient=self.recipient,
                context=self._context(),
            )
        except WorkbenchError as err:
            self.say(str(err), "error")
            self.save_btn.disabled = True
            return None
        r = self.result
        lim = r.limit
        over = lim is not None and r.length > lim
        self.counter.value = status_html(
            f"{r.length}{f' / {lim}' if lim else ''} characters"
            f"{' — over the limit' if over else ''}",
            "error" if over else "ok",
        )
        if r.ok:
            self.findings.value = status_html("✔ Disclosure guard: nothing found", "ok")
            self.preview.value = ""
        else:
            items = "".join(
                f"<li>{html.escape(f.label)}: {html.escape(f.reason)}</li>" for f in r.findings
            )
            self.findings.value = (
                status_html(f"✖ Cannot save: {r.summary()}", "error") + f"<ul>{items}</ul>"
            )
            self.preview.value = highlighted(r)
        checks = "".join(
            f"<div>{'✔' if ok else '☐'} {html.escape(replies.TONE_ITEMS[k])}</div>"
            for k, ok in r.tone.items.items()
        )
        grade = "n/a" if r.tone.grade is None else f"{r.tone.grade:.1f}"
        self.tone.value = (
            f"{checks}<div style='margin-top:6px'>Reading grade: <b>{grade}</b>"
            f" <small>(Coleman-Liau; aim for 8 or below)</small></div>"
        )
        self.save_btn.disabled = not r.ok
        return r

    def save(self) -> replies.SavedReply | None:
        try:
            saved = replies.save_reply(
                self.case_id,
                self.channel.value,
                self.text.value,
                scenario=self.scenario.value,
                recipient=self.recipient,
                context=self._context(),
            )
        except WorkbenchError as err:
            self.say(str(err), "error")
            return None
        self.message.value = status_html(
            f"Saved ({saved.channel}, sha256 {saved.sha256[:12]}…)", "ok"
        )
        return saved
