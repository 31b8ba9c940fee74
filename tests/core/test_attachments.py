"""A reply's attachment: a safe file name, a bounded size, a media type."""

from __future__ import annotations

import pytest

from bot.replies import MAX_ATTACHMENT_BYTES, Attachment, Audience, Reply


@pytest.mark.parametrize(
    "name", ["circle.ics", "tuesday-recovery.ics", "notes_2026.txt", "README", "a" * 64]
)
def test_safe_names_are_accepted(name: str) -> None:
    assert Attachment(name, b"x", "text/plain").filename == name


@pytest.mark.parametrize(
    "name",
    [
        *("", ".hidden", "../etc/passwd", "a/b.ics", "a\\b.ics", "two words.ics", "x."),
        *("é.ics", "a" * 65, "circle..ics", "-rf", "nul\0.ics", "circle.ics\n"),
    ],
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="safe file name"):
        Attachment(name, b"x", "text/plain")


def test_content_is_at_most_a_megabyte() -> None:
    Attachment("big.bin", b"\0" * MAX_ATTACHMENT_BYTES, "application/octet-stream")
    with pytest.raises(ValueError, match="over"):
        Attachment("big.bin", b"\0" * (MAX_ATTACHMENT_BYTES + 1), "application/octet-stream")


def test_the_media_type_must_look_like_one() -> None:
    with pytest.raises(ValueError, match="media type"):
        Attachment("a.ics", b"x", "calendar")
    assert Attachment("a.ics", b"x", "text/calendar").is_text
    assert not Attachment("a.png", b"x", "image/png").is_text
    assert Attachment("my-data.json", b"{}", "application/json").is_text
    assert Attachment("a.json", b"{}", "application/ld+json").is_text
    assert not Attachment("a.zip", b"x", "application/zip").is_text


def test_a_reply_carries_text_and_at_most_one_attachment() -> None:
    notes = Attachment("notes.txt", b"x", "text/plain")
    reply = Reply("Here.", audience=Audience.HERE, attachment=notes)
    assert (reply.text, reply.attachment) == ("Here.", notes)
    assert Reply("Here.", audience=Audience.HERE).attachment is None


@pytest.mark.parametrize(
    ("media_type", "image"),
    [
        ("image/png", True),
        ("image/jpeg", True),
        ("image/svg+xml", False),  # a document, not a picture: no platform shows it inline
        ("image/gif", False),
        ("text/calendar", False),
        ("application/octet-stream", False),
    ],
)
def test_a_png_or_jpeg_is_an_image(media_type: str, image: bool) -> None:
    assert Attachment("chart.png", b"x", media_type).is_image is image
