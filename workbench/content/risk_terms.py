"""Risky phrases in messages, from per-language term lists in ``templates/terms/<lang>.yaml``.

Categories: ``off_platform`` (moving the talk or the money elsewhere), ``gift_cards``,
``crypto``, ``threats`` and ``harassment`` (insults and "nobody wants you"). Every list applies
to every message (people mix languages and write brand names in Latin script), matched after
the same folding as thread search (:func:`workbench.content.language.fold`), in one
regular-expression pass per message. Latin-script terms match whole words only, where a word
ends at anything that is not a Latin letter or digit (so "Telegramで追加して" finds Telegram);
CJK, Thai and other scripts match anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from workbench.config import ENV_TERMS_DIR, settings
from workbench.content.language import fold, folded, to_original
from workbench.errors import WorkbenchError
from workbench.files import cached, read_yaml_mapping

CATEGORIES = ("off_platform", "gift_cards", "crypto", "threats", "harassment")
CATEGORY_LABELS = {
    "off_platform": "moves off the platform",
    "gift_cards": "gift cards",
    "crypto": "crypto / investment",
    "threats": "threat",
    "harassment": "harassment / insult",
}


@dataclass(frozen=True)
class RiskHit:
    """A risky phrase at ``text[start:end]``."""

    start: int
    end: int
    category: str
    term: str
    lang: str


@dataclass(frozen=True)
class _Lexicon:
    pattern: re.Pattern
    meta: dict[
        str, tuple[str, str, str, bool]
    ]  # folded term -> (category, term, lang, word-bounded)
    languages: tuple[str, ...]


def _is_latin(term: str) -> bool:
    return all(ord(c) < 0x0530 for c in term if c.isalpha())


def _load(folder: Path) -> _Lexicon:
    meta: dict[str, tuple[str, str, str, bool]] = {}
    langs = []
    for path in sorted(folder.glob("*.yaml")):
        raw = read_yaml_mapping(path, what="term list", hint="see templates/terms/README.md")
        lang = str(raw.get("lang") or path.stem)
        langs.append(lang)
        for cat in CATEGORIES:
            for term in raw.get(cat) or []:
                key = fold(str(term)).strip()
                if key and key not in meta:
                    meta[key] = (cat, str(term), lang, _is_latin(key))
    if not meta:
        raise WorkbenchError(f"no risk terms found in {folder}", "restore templates/terms/*.yaml")
    alternation = "|".join(re.escape(k) for k in sorted(meta, key=len, reverse=True))
    return _Lexicon(re.compile(alternation), meta, tuple(langs))


def lexicon() -> _Lexicon:
    """The compiled term lists (re-read when a file changes)."""
    return cached(
        settings().resource("terms_dir"),
        _load,
        pattern="*.yaml",
        what="risk-term lists",
        hint=f"restore templates/terms or fix {ENV_TERMS_DIR}",
    )


def languages() -> tuple[str, ...]:
    """Languages that have a term list."""
    return lexicon().languages


def _word_char(ch: str) -> bool:
    """Whether ``ch`` continues a Latin-script word (a kana or Han neighbour does not)."""
    return (ch.isalnum() or ch == "_") and ord(ch) < 0x0530


def find_risky(text: str | None, categories: tuple[str, ...] | None = None) -> list[RiskHit]:
    """Risky phrases in ``text``, left to right, longest match first, never overlapping."""
    if not text:
        return []
    lex = lexicon()
    hay, owner = folded(text)
    hits = []
    for m in lex.pattern.finditer(hay):
        cat, term, lang, bounded = lex.meta[m.group(0)]
        if categories and cat not in categories:
            continue
        if bounded and (
            (m.start() > 0 and _word_char(hay[m.start() - 1]))
            or (m.end() < len(hay) and _word_char(hay[m.end()]))
        ):
            continue
        start, end = to_original(owner, m.start(), m.end())
        hits.append(RiskHit(start, end, cat, term, lang))
    return hits


def categories_in(text: str | None) -> list[str]:
    """The distinct risk categories present in ``text``."""
    return sorted({h.category for h in find_risky(text)})
