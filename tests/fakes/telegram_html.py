"""Telegram's HTML parse mode and message-text rules, for the fake Bot API server.

The parser follows the Bot API's "HTML style" and the error texts of Telegram's own
parser (tdlib's ``parse_html``): the supported tags, attribute syntax, the four named
entities (``&lt; &gt; &amp; &quot;``, the ``;`` optional) and numeric ones, and errors
such as ``Unsupported start tag "p" at byte offset 0`` (offsets count UTF-8 bytes).
Entity offsets and lengths in the result count UTF-16 code units, as in the Bot API.

One deliberate difference, on by default (``strict_ampersand``): Telegram keeps an
``&`` that starts no entity it knows (``Tea & cake``, ``&laquo;``) as a literal
character, although its documentation says to escape it. The fake refuses such text
instead, because in a bot that builds HTML it always means text went out unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_LENGTH = 4096

TAG_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}

# Telegram's order for entities that cover the same text (lower first)
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n"


class TextRejected(Exception):
    """The text breaks a Telegram rule; ``description`` is the Bot API's error text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class FormattedText:
    """What a user sees: the plain text and its entities (Bot API JSON)."""

    text: str
    entities: list[dict[str, Any]]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decodes the character entity at ``text[i] == "&"``: (character, next index)."""
    end = i + 1
    if end < len(text) and text[end] == "#":
        end += 1
        code = 0
        digits = "0123456789abcdefABCDEF" if text[end : end + 1] in ("x", "X") else "0123456789"
        base = 16 if len(digits) > 10 else 10
        if base == 16:
            end += 1
        start = end
        while end < len(text) and text[end] in digits:
            code = min(code * base + int(text[end], base), 0x110000)
            end += 1
        if end == start or code == 0 or code >= 0x10FFFF or end - i > 16:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[i + 1 : end])
        if named is None:
            return None
        char = named
    if end < len(text) and text[end] == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 units into the plain text


def parse_html(html: str, *, strict_ampersand: bool = True) -> FormattedText:
    """Parses Bot API HTML into plain text and entities, or raises TextRejected with the
    description Telegram gives (``can't parse entities: ...``)."""
    try:
        return _parse(html, strict_ampersand)
    except _HtmlError as error:
        raise TextRejected(f"Bad Request: can't parse entities: {error}") from None


class _HtmlError(Exception):
    pass


def _parse(html: str, strict_ampersand: bool) -> FormattedText:
    out: list[str] = []
    offset = 0  # UTF-16 length of ``out``
    entities: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    n = len(html)

    def at(index: int) -> str:
        return html[index] if index < n else ""

    def byte_offset(index: int) -> int:
        return len(html[:index].encode("utf-8"))

    i = 0
    while i < n:
        char = html[i]
        if char == "&":
            decoded = _decode_entity(html, i)
            if decoded is not None:
                out.append(decoded[0])
                offset += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise _HtmlError(
                    f'Character "&" at byte offset {byte_offset(i)} starts no supported '
                    'entity; escape it as "&amp;" (Telegram would show it as it is)'
                )
        if char != "<":
            out.append(char)
            offset += utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) and at(i) not in _SPACES and at(i) != ">":
                i += 1
            if not at(i):
                raise _HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = html[begin + 1 : i].lower()
            where = f"at byte offset {byte_offset(begin)}"
            if tag not in TAG_ENTITY_TYPES:
                raise _HtmlError(f'Unsupported start tag "{tag}" {where}')
            argument = ""
            while at(i) != ">":
                while at(i) and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                name_start = i
                while at(i) and at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                attribute = html[name_start:i]
                if not attribute:
                    raise _HtmlError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                while at(i) and at(i) in _SPACES:
                    i += 1
                if at(i) != "=" and tag == "blockquote" and attribute == "expandable":
                    argument = "expandable"  # the one attribute that takes no value
                    continue
                if at(i) != "=":
                    raise _HtmlError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i += 1
                while at(i) and at(i) in _SPACES:
                    i += 1
                if not at(i):
                    raise _HtmlError(f'Unclosed start tag "{tag}" {where}')
                value_chars: list[str] = []
                if at(i) not in "'\"":
                    token_start = i
                    while at(i) and ((at(i).isascii() and at(i).isalnum()) or at(i) in ".-"):
                        i += 1
                    value = html[token_start:i].lower()
                    if not at(i) or (at(i) not in _SPACES and at(i) != ">"):
                        token_at = byte_offset(token_start)
                        raise _HtmlError(f"Unexpected end of name token at byte offset {token_at}")
                else:
                    quote = at(i)
                    i += 1
                    while at(i) and at(i) != quote:
                        if at(i) == "&":
                            decoded = _decode_entity(html, i)
                            if decoded is not None:
                                value_chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        value_chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(value_chars)
                if not at(i):
                    raise _HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                argument = _tag_argument(tag, attribute, value, argument)
            if tag == "span" and argument != "spoiler":
                raise _HtmlError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append(_OpenTag(tag, argument, offset))
            i += 1  # past ">"
            continue

        # an end tag
        if not stack:
            raise _HtmlError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1
        name_start = i
        while at(i) and at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_name = html[name_start:i].lower()
        while at(i) and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise _HtmlError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.name:
            raise _HtmlError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{end_name}>"'
            )
        if offset > opened.offset:
            _close_entity(opened, offset, entities)

    if stack:
        raise _HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    text = "".join(out)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise _HtmlError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
    return FormattedText(text, _public(entities))


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "expandable"
    return current


def _close_entity(opened: _OpenTag, end: int, entities: list[dict[str, Any]]) -> None:
    entity: dict[str, Any] = {
        "type": TAG_ENTITY_TYPES[opened.name],
        "offset": opened.offset,
        "length": end - opened.offset,
    }
    if opened.name == "a":
        if not opened.argument:
            return  # Telegram makes no link of <a> without a usable href
        entity["url"] = opened.argument
    elif opened.name == "tg-emoji":
        entity["custom_emoji_id"] = opened.argument
    elif opened.name == "blockquote" and opened.argument:
        entity["type"] = "expandable_blockquote"
    if opened.name in ("pre", "code") and entities:
        # <pre><code class="language-x"> (either nesting) is one pre entity with a language
        inner = entities[-1]
        same_span = inner["offset"] == entity["offset"] and inner["length"] == entity["length"]
        language = opened.argument if opened.name == "code" else inner.get("language_of_code")
        if same_span and {inner["type"], entity["type"]} == {"pre", "code"} and language:
            entities[-1] = {"type": "pre", "offset": entity["offset"], "length": entity["length"]}
            entities[-1]["language"] = language
            return
    if opened.name == "code" and opened.argument:
        entity["language_of_code"] = opened.argument  # dropped again by _public
    entities.append(entity)


def _public(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "language_of_code"} for e in entities]


def finish_text(formatted: FormattedText) -> FormattedText:
    """Applies Telegram's rules for a message text: leading and trailing whitespace is
    cut (entities move and shrink with it), then 1..4096 characters must remain."""
    text = formatted.text
    stripped = text.strip(_SPACES)
    if not stripped:
        raise TextRejected("Bad Request: message text is empty")
    if len(stripped) > MAX_MESSAGE_LENGTH:
        raise TextRejected("Bad Request: message is too long")
    lead = utf16_len(text[: len(text) - len(text.lstrip(_SPACES))])
    size = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def plain_text(text: str, entities: list[dict[str, Any]] | None = None) -> FormattedText:
    """A text sent without parse mode, with the entities the caller gave (checked)."""
    size = utf16_len(text)
    for entity in entities or []:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or length <= 0:
            raise TextRejected("Bad Request: can't parse entities: wrong entity offset or length")
        if offset < 0 or offset + length > size:
            raise TextRejected("Bad Request: can't parse entities: entity beyond the end of text")
    return FormattedText(text, list(entities or []))
