"""The fake Telegram server's HTML parse mode, against the behaviour of Telegram's own
parser (cases and error texts as tdlib's parse_html tests pin them)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.telegram_html import (
    FormattedText,
    TextRejected,
    finish_text,
    parse_html,
    plain_text,
    utf16_len,
)


def _entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "offset": offset, "length": length, **extra}


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("<p>hi</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            "🏟 🏟&lt;<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ('<span class="x">a</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "&#57311;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_malformed_html_is_refused_with_telegrams_description(html: str, error: str) -> None:
    with pytest.raises(TextRejected) as refused:
        parse_html(html)
    assert refused.value.description == f"Bad Request: can't parse entities: {error}"


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("➡️ ➡️<b>➡️ ➡️</b>", "➡️ ➡️➡️ ➡️", [_entity("bold", 5, 5)]),
        (
            "<strong>a</strong><em>b</em><ins>c</ins>",
            "abc",
            [
                _entity("bold", 0, 1),
                _entity("italic", 1, 1),
                _entity("underline", 2, 1),
            ],
        ),
        (
            "<s>a</s><strike>b</strike><del>c</del>",
            "abc",
            [
                _entity("strikethrough", 0, 1),
                _entity("strikethrough", 1, 1),
                _entity("strikethrough", 2, 1),
            ],
        ),
        (
            '<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>',
            "ab",
            [
                _entity("spoiler", 0, 1),
                _entity("spoiler", 1, 1),
            ],
        ),
        (
            "🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>",
            "🏟 🏟🏟 ><🏟",
            [
                _entity("italic", 5, 7),
                _entity("bold", 9, 3),
            ],
        ),
        ("🏟 🏟&lt;<i>🏟 🏟&lt;</>", "🏟 🏟<🏟 🏟<", [_entity("italic", 6, 6)]),
        (
            "<i><b> </b> <code> </code></i>",
            "   ",
            [
                _entity("italic", 0, 3),
                _entity("bold", 0, 1),
                _entity("code", 2, 1),
            ],
        ),
        (
            "<code><i><b> </b></i></code>",
            " ",
            [
                _entity("code", 0, 1),
                _entity("bold", 0, 1),
                _entity("italic", 0, 1),
            ],
        ),
        (
            '<a href="https://x.org/?a=1&amp;b=2">here</a>',
            "here",
            [
                _entity("text_link", 0, 4, url="https://x.org/?a=1&b=2"),
            ],
        ),
        (
            "<a   href=  'telegram.org?&lt;'   > </a>",
            " ",
            [
                _entity("text_link", 0, 1, url="telegram.org?<"),
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [
                _entity("pre", 0, 5, language="python"),
            ],
        ),
        (
            '<code class="language-fift"><pre>x</pre></code>',
            "x",
            [
                _entity("pre", 0, 1, language="fift"),
            ],
        ),
        ("<pre><code>x</code></pre>", "x", [_entity("pre", 0, 1), _entity("code", 0, 1)]),
        (
            "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
            "qe",
            [
                _entity("blockquote", 0, 1),
                _entity("expandable_blockquote", 1, 1),
            ],
        ),
        ("&lt;&gt;&amp;&quot;&#65;&#x42; 3 > 2", '<>&"AB 3 > 2', []),
        ("<b></b>empty tags make no entity", "empty tags make no entity", []),
    ],
)
def test_html_becomes_the_text_and_entities_a_user_sees(
    html: str, text: str, entities: list[dict[str, Any]]
) -> None:
    assert parse_html(html) == FormattedText(text, entities)


def test_a_bare_ampersand_is_refused_unless_lenient_like_telegram() -> None:
    with pytest.raises(TextRejected, match=r'"&" at byte offset 4'):
        parse_html("Tea & cake")
    with pytest.raises(TextRejected, match="can't parse entities"):
        parse_html("&laquo;quoted&raquo;")
    lenient = parse_html("Tea & cake &laquo;", strict_ampersand=False)
    assert lenient.text == "Tea & cake &laquo;"


def test_entity_offsets_count_utf16_units() -> None:
    parsed = parse_html("😀 <b>hi</b>")
    assert utf16_len("😀") == 2
    assert parsed.entities == [_entity("bold", 3, 2)]


def test_message_text_is_trimmed_and_entities_follow() -> None:
    finished = finish_text(parse_html("\n  <b>hi</b> there \n"))
    assert finished == FormattedText("hi there", [_entity("bold", 0, 2)])


def test_message_text_must_keep_1_to_4096_characters_after_parsing() -> None:
    assert len(finish_text(parse_html(f"<b>{'x' * 4096}</b>")).text) == 4096
    with pytest.raises(TextRejected, match=r"^Bad Request: message is too long$"):
        finish_text(plain_text("x" * 4097))
    with pytest.raises(TextRejected, match=r"^Bad Request: message text is empty$"):
        finish_text(parse_html("<b> </b>\n"))


def test_given_entities_must_lie_within_the_text() -> None:
    assert plain_text("abc", [_entity("bold", 1, 2)]).entities == [_entity("bold", 1, 2)]
    with pytest.raises(TextRejected):
        plain_text("abc", [_entity("bold", 2, 2)])
