"""What the fuzz tests throw at PeerCircle, and how many times.

Input people could send: any Unicode (control characters, bidi overrides, unpaired
surrogates from a broken client), terminal escapes, markup of every platform, mentions
(``@everyone``), format strings, huge inputs, and the words the commands look for (so
the fuzzing reaches past the first "I couldn't find that group").

The suite runs few examples so it stays fast. ``PEERCIRCLE_FUZZ_EXAMPLES=N`` runs N
examples in every fuzz test instead (a long run, e.g. 10000 before a release).
"""

from __future__ import annotations

import os
import unicodedata

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES_VARIABLE = "PEERCIRCLE_FUZZ_EXAMPLES"

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

PIECES = (
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<#222222222222222222>",
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "&amp;&lt;",
    "*bold* _it_ `code` ```block``` ~~s~~ ||spoiler||",
    "[link](https://example.org)",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x9b2J",
    "\u202eevil\u202c",
    "\u2066",
    "\x00",
    "\r\n",
    "\t",
    "\n\n\n",
    "\ufeff",
    "\u200d",
    "🏳️‍🌈",
    "Z̴̡̛͖a̷l̵g̸o̶",
    "שלום",
    "مرحبا",
    "%s%n",
    "{0}",
    "{group}",
    "{incident_id}",
    "'; DROP TABLE memberships;--",
    "../../etc/passwd",
    "circle",
    "CIRCLE",
    "carers",
    "Circle",
    "Tuesday Circle",
    "yes",
    "no",
    "maybe",
    "me",
    "anon",
    "confirm",
    "cancel",
    "1795683600",
    "²",
    "٣",
    "2026-12-01",
    "20:00",
    "25:61",
    "timezone",
    "Europe/Dublin",
    "quiet",
    "22:00-08:00",
    "country",
    "IE",
    "reminders",
    "off",
    "on",
    "edit",
    "announcements",
    "-1",
    "0",
    "99999999999999999999999",
    "nan",
    "/join",
    "/help",
)


def examples(default: int) -> settings:
    """``default`` examples in the suite; ``PEERCIRCLE_FUZZ_EXAMPLES`` in a long run."""
    configured = os.environ.get(EXAMPLES_VARIABLE, "").strip()
    return settings(
        max_examples=int(configured) if configured else default,
        deadline=None,
        database=None,  # nothing written into the working tree
        print_blob=True,  # a failure prints how to reproduce it
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


def pick(*choices: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One of ``choices``, each as likely as the others (``st.one_of`` flattens nested
    choices, so a strategy beside a many-branched one would be picked rarely)."""
    return st.sampled_from(choices).flatmap(lambda chosen: chosen)


# Digits as people (and their keyboards) write them: ASCII, other scripts' digits, and
# characters str.isdigit() accepts but int() refuses (superscripts, circled digits).
DIGITS = "0123456789" + "²³¹①⑵⒈٣۴߁१𝟙１"


def numbers() -> st.SearchStrategy[str]:
    """Something like a number: an integer (any size), or digits of many kinds."""
    return pick(
        st.integers().map(str),
        st.text(st.sampled_from(DIGITS), min_size=1, max_size=12),
        st.text(st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=6),
    )


def words() -> st.SearchStrategy[str]:
    surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
    pieces = st.sampled_from(PIECES)
    return pick(
        pieces,
        pieces,
        pieces,
        st.text(max_size=12),
        st.text(st.characters(codec="ascii"), max_size=12),
        numbers(),
        st.lists(surrogate, min_size=1, max_size=2).map("".join),
    )


def huge() -> st.SearchStrategy[str]:
    """Long input made cheaply: a short piece repeated, up to a few thousand characters
    (past the dispatcher's 2000 and the 4300 digits ``int()`` refuses)."""
    return st.builds(
        lambda piece, times: (piece * times)[:5000],
        st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=4)),
        st.integers(min_value=100, max_value=5000),
    )


def nasty_text() -> st.SearchStrategy[str]:
    """A line someone might type: a few words with odd separators, sometimes huge."""
    separators = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", "\u00a0", "\u3000", ""])
    short = st.lists(st.tuples(words(), separators), max_size=8).map(
        lambda parts: "".join(word + sep for word, sep in parts)
    )
    return pick(short, short, short, st.text(), huge())


def mutated(line: str) -> st.SearchStrategy[str]:
    """``line`` (arguments that work) with words kept, swapped for odd ones, or added:
    so the fuzzing gets past a command's first checks into its deeper paths."""
    tokens = line.split()
    kept_or_swapped = st.tuples(*(pick(st.just(token), words()) for token in tokens))
    added = st.lists(words(), max_size=2)
    separator = st.sampled_from([" ", " ", "  ", "\n", "\t"])
    return st.builds(
        lambda kept, more, sep: sep.join([*kept, *more]), kept_or_swapped, added, separator
    )


def unsafe_characters(text: str) -> list[str]:
    """Characters a reply must never carry: control characters (a line break is fine),
    bidi controls and unpaired surrogates."""
    return sorted(
        {
            f"U+{ord(char):04X}"
            for char in text
            if (unicodedata.category(char) in ("Cc", "Cs") and char != "\n")
            or char in BIDI_CONTROLS
        }
    )
