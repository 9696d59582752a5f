"""Language and script of message text, and keyword search that works across scripts.

Detection uses py3langid, whose model ships inside the package (nothing is downloaded at run
time). Statistical models are weakest exactly where the script already tells the answer, so the
Unicode script decides first: Thai, Hangul, kana (Japanese), Devanagari (Hindi), Hebrew, and the
Arabic script with Urdu-only letters (ٹ ڈ ڑ ں ے). Results are cached per distinct text, since
chat threads repeat short messages a lot.

Search folds both sides the same way (NFKC, case-folded, Latin accents dropped) and maps matches
back to positions in the original text, so highlighting is exact in any script.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

UNDETERMINED = "und"
# Below this normalised probability (and for very short text) py3langid is guessing.
MIN_CONFIDENCE = 0.30
MIN_LETTERS = 3

RTL_SCRIPTS = frozenset({"Arabic", "Hebrew"})
_URDU_LETTERS = frozenset("\u0679\u0688\u0691\u06ba\u06d2\u06d3\u06c1\u06be")

# (start, end inclusive, script) for the scripts the platform sees; anything else is "Other".
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latin"),
    (0x0061, 0x007A, "Latin"),
    (0x00C0, 0x024F, "Latin"),
    (0x1E00, 0x1EFF, "Latin"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0750, 0x077F, "Arabic"),
    (0x08A0, 0x08FF, "Arabic"),
    (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "Hangul"),
    (0x3130, 0x318F, "Hangul"),
    (0xAC00, 0xD7AF, "Hangul"),
    (0x3040, 0x309F, "Hiragana"),
    (0x30A0, 0x30FF, "Katakana"),
    (0x31F0, 0x31FF, "Katakana"),
    (0xFF66, 0xFF9F, "Katakana"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"),
    (0xF900, 0xFAFF, "Han"),
)


def script_of(ch: str) -> str | None:
    """The script of one character, or None for punctuation, digits, spaces and emoji."""
    cp = ord(ch)
    for lo, hi, name in _RANGES:
        if lo <= cp <= hi:
            return name if ch.isalpha() or unicodedata.category(ch).startswith("M") else None
    return "Other" if ch.isalpha() else None


def scripts(text: str) -> Counter:
    """Letters per script."""
    return Counter(s for s in map(script_of, text) if s)


@dataclass(frozen=True)
class Detection:
    """``lang`` is an ISO 639-1 code or ``und``; ``direction`` is ``rtl``, ``ltr`` or ``auto``."""

    lang: str
    confidence: float
    script: str
    direction: str
    method: str  # "script" (decided by the Unicode script) or "model" (py3langid)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _best_of(text: str, langs: set[str], default: str) -> tuple[str, float]:
    for lang, p in _identifier().rank(text):
        if lang in langs:
            return lang, float(p)
    return default, 0.0


@lru_cache(maxsize=200_000)
def detect(text: str | None) -> Detection:
    """The language of ``text`` (cached per distinct text)."""
    text = text or ""
    counts = scripts(text)
    letters = sum(counts.values())
    if letters == 0:
        return Detection(UNDETERMINED, 0.0, "None", "auto", "script")
    script = counts.most_common(1)[0][0]
    direction = "rtl" if script in RTL_SCRIPTS else "ltr"
    if counts.get("Hiragana") or counts.get("Katakana"):
        return Detection("ja", 1.0, script if script != "Han" else "Han+Kana", "ltr", "script")
    by_script = {"Thai": "th", "Hangul": "ko", "Devanagari": "hi", "Hebrew": "he"}
    if script in by_script:
        return Detection(by_script[script], 1.0, script, direction, "script")
    if script == "Arabic":
        if any(ch in _URDU_LETTERS for ch in text):
            return Detection("ur", 1.0, script, direction, "script")
        lang, p = _best_of(text, {"ar", "fa", "ur", "ps"}, "ar")
        return Detection(lang, p, script, direction, "model")
    if script == "Han":
        lang, p = _best_of(text, {"zh", "ja"}, "zh")
        return Detection(lang, p, script, direction, "model")
    if letters < MIN_LETTERS:
        return Detection(UNDETERMINED, 0.0, script, "auto", "model")
    lang, p = _identifier().classify(text)
    if p < MIN_CONFIDENCE:
        return Detection(UNDETERMINED, float(p), script, direction, "model")
    return Detection(lang, float(p), script, direction, "model")


# --------------------------------------------------------------------------- search


def _fold_char(ch: str) -> str:
    if ord(ch) < 0x0530:  # Latin, Greek, Cyrillic: accent-insensitive
        base = unicodedata.normalize("NFKD", ch)
        return "".join(c for c in base if not unicodedata.combining(c)).casefold()
    return unicodedata.normalize("NFKC", ch).casefold()


def fold(text: str) -> str:
    """Text folded for matching: case-insensitive, width-insensitive, Latin accents dropped."""
    return folded(unicodedata.normalize("NFC", text))[0]


def folded(text: str) -> tuple[str, tuple[list[int], list[int]]]:
    """``text`` folded as :func:`fold` (without re-normalising first), and a position map: for
    each folded character, the original span it came from (pass it to :func:`to_original`).

    A combining mark that composes with the character before it (half-width ﾞ after ｷ) is
    merged into it, so ``ｷﾞ`` folds to ``ギ`` as the query does."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        if f and parts and unicodedata.combining(f[0]):
            composed = unicodedata.normalize("NFC", parts[-1] + f)
            if len(composed) == len(parts[-1]):
                parts[-1] = composed
                ends[-1] = i + 1
                continue
        parts.append(f)
        starts.append(i)
        ends.append(i + 1)
    hay, s_map, e_map = [], [], []
    for p, st, en in zip(parts, starts, ends):
        hay.append(p)
        s_map.extend([st] * len(p))
        e_map.extend([en] * len(p))
    return "".join(hay), (s_map, e_map)


def to_original(owner: tuple[list[int], list[int]], start: int, end: int) -> tuple[int, int]:
    """A span of folded text (from :func:`folded`) as a span of the original text."""
    return owner[0][start], owner[1][end - 1]


def find(text: str, query: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` in ``text`` where ``query`` occurs, folded as :func:`fold`.

    ``text`` is searched as given (callers pass NFC text, as stored); spans index it directly.
    """
    q = fold(query or "").strip()
    if not q or not text:
        return []
    hay, owner = folded(text)
    spans, start = [], hay.find(q)
    while start != -1:
        end = start + len(q)
        spans.append(to_original(owner, start, end))
        start = hay.find(q, end)
    return spans


def contains(text: str | None, query: str) -> bool:
    return bool(text) and fold(query).strip() in fold(text or "")
