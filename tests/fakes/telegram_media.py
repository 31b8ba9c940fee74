"""Files the bot uploads to the fake Telegram server, as Telegram checks and shows them.

A photo (``sendPhoto``) must be an image Telegram can read (PNG or JPEG here; anything
else is ``IMAGE_PROCESS_FAILED``), of at most 10 MB, its width and height at most 10000
together and neither more than 20 times the other (``PHOTO_INVALID_DIMENSIONS``), as
the Bot API documents for sendPhoto. The fake reads the dimensions from the file itself
(a PNG's IHDR chunk, a JPEG's start-of-frame marker) and shows one size, the original:
Telegram also makes smaller copies, which no test needs.
"""

from __future__ import annotations

import struct

from tests.fakes.telegram_faults import ApiError
from tests.fakes.telegram_params import bad_request
from tests.fakes.telegram_updates import JSON, SentDocument, SentPhoto

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# JPEG start-of-frame markers (baseline, progressive, ...): not DHT (C4), JPG (C8), DAC (CC).
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def unreadable() -> ApiError:
    return bad_request("IMAGE_PROCESS_FAILED")


def image_size(content: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG; ``IMAGE_PROCESS_FAILED`` for anything else."""
    if content.startswith(PNG_MAGIC) and content[12:16] == b"IHDR" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content.startswith(JPEG_MAGIC):
        return _jpeg_size(content)
    raise unreadable()


def _jpeg_size(content: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 <= len(content):
        if content[at] != 0xFF:
            raise unreadable()
        marker = content[at + 1]
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", content[at + 5 : at + 9])
            return int(width), int(height)
        at += 2 + int(length)
    raise unreadable()


def check_photo(content: bytes) -> tuple[int, int]:
    """The photo's (width, height), or Telegram's refusal."""
    if len(content) > MAX_PHOTO_BYTES:
        raise bad_request("file is too big")
    width, height = image_size(content)
    if not width or not height or width + height > MAX_PHOTO_SIDES:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    if max(width, height) > MAX_PHOTO_RATIO * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def as_document(message: JSON, document: SentDocument) -> JSON:
    """A bot message's JSON with its text as a document's caption."""
    shown = _captioned(message)
    unique = f"doc{message['chat']['id']}_{message['message_id']}"
    shown["document"] = {
        "file_id": f"{unique}-id",
        "file_unique_id": unique,
        "file_name": document.filename,
        "mime_type": document.content_type,
        "file_size": len(document.content),
    }
    return shown


def as_photo(message: JSON, photo: SentPhoto) -> JSON:
    """A bot message's JSON with its text as a photo's caption (one PhotoSize)."""
    shown = _captioned(message)
    unique = f"photo{message['chat']['id']}_{message['message_id']}"
    shown["photo"] = [
        {
            "file_id": f"{unique}-id",
            "file_unique_id": unique,
            "width": photo.width,
            "height": photo.height,
            "file_size": len(photo.content),
        }
    ]
    return shown


def _captioned(message: JSON) -> JSON:
    shown = {key: value for key, value in message.items() if key not in ("text", "entities")}
    if message.get("text"):
        shown["caption"] = message["text"]
    if message.get("entities"):
        shown["caption_entities"] = message["entities"]
    return shown
