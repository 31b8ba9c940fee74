"""sendPhoto on the fake Bot API, driven by the real python-telegram-bot: an uploaded
image is recorded with its dimensions, and what Telegram refuses is refused."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
import telegram
from PIL import Image
from telegram.error import BadRequest

from tests.fakes.images import png
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_media import image_size


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def bot(fake: FakeTelegramApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    ) as ptb:
        yield ptb


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "JPEG")
    return out.getvalue()


def test_the_helper_png_is_a_real_image() -> None:
    image = Image.open(io.BytesIO(png(7, 3)))
    image.load()
    assert image.size == (7, 3)


@pytest.mark.parametrize(
    ("content", "size"), [(png(640, 320), (640, 320)), (jpeg(40, 30), (40, 30))]
)
def test_dimensions_are_read_from_the_file(content: bytes, size: tuple[int, int]) -> None:
    assert image_size(content) == size


async def test_send_photo_records_the_uploaded_image(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.user("Alex")
    fake.private_chat(alex)
    chart = png(640, 320)

    message = await bot.send_photo(
        alex.id,
        telegram.InputFile(chart, filename="trend.png"),
        caption="<b>Mood</b> ▁▃▅·█",
        parse_mode="HTML",
    )

    [size] = message.photo
    assert (size.width, size.height, size.file_size) == (640, 320, len(chart))
    assert message.caption == "Mood ▁▃▅·█"
    assert message.text is None
    [sent] = fake.sent_messages(alex)
    assert sent.photo is not None
    assert sent.document is None
    assert (sent.photo.filename, sent.photo.content_type) == ("trend.png", "image/png")
    assert sent.photo.content == chart
    assert (sent.photo.width, sent.photo.height) == (640, 320)
    assert sent.text == "Mood ▁▃▅·█"


async def test_a_photo_without_a_caption_has_none(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    alex = fake.user("Alex")
    fake.private_chat(alex)

    message = await bot.send_photo(alex.id, telegram.InputFile(jpeg(40, 30), filename="a.jpg"))

    assert message.caption is None
    [sent] = fake.sent_messages(alex)
    assert sent.photo is not None
    assert (sent.text, sent.photo.width) == ("", 40)


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (b"BEGIN:VCALENDAR\r\n", "IMAGE_PROCESS_FAILED"),
        (png(2, 2)[:8] + b"garbage", "IMAGE_PROCESS_FAILED"),
        (png(1, 30), "PHOTO_INVALID_DIMENSIONS"),  # more than 20 times taller than wide
        (png(6000, 4001), "PHOTO_INVALID_DIMENSIONS"),  # over 10000 together
    ],
)
async def test_send_photo_refuses_what_telegram_cannot_show(
    fake: FakeTelegramApi, bot: telegram.Bot, content: bytes, refusal: str
) -> None:
    alex = fake.user("Alex")
    fake.private_chat(alex)

    with pytest.raises(BadRequest, match=f"(?i){refusal}"):  # PTB capitalizes it
        await bot.send_photo(alex.id, telegram.InputFile(content, filename="x.png"))

    assert fake.sent_messages(alex) == []


async def test_send_photo_refuses_a_long_caption_or_no_upload(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.user("Alex")
    fake.private_chat(alex)
    upload = telegram.InputFile(png(4, 4), filename="x.png")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(alex.id, upload, caption="x" * 1025)
    with pytest.raises(BadRequest, match="photos as uploads only"):
        await bot.send_photo(alex.id, "some-file-id")
    assert fake.sent_messages(alex) == []
