"""A bot where one member, Zephyrine, has data in every store, for the /mydata and
/forgetme tests: a seat (given from the waiting list, with its seat offer), a place on a
waiting list, an RSVP, settings, a reminder held back by her quiet hours, and a notice
to a facilitator that names her. Others around her have data too, which must stay.

``dump`` reads every table of the SQLite file (or of the PostgreSQL place standing for it),
every column, through its own connection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.events import Actor
from bot.outbox import Outbox
from groups.facilitator_notices import FacilitatorNotices
from tests.engines import every_table
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

# Distinctive, so that finding them anywhere in the file means a row still refers to her.
zeph = Actor("console", "zeph-7731", "Zephyrine")
NEEDLES = ("zeph-7731", "zephyrine")
alice, bob, carol, cara, dan = (person(n) for n in ("alice", "bob", "carol", "cara", "dan"))
# Ten minutes before the 24-hour reminder of circle's meeting on Tuesday 1 December, 19:00.
START = datetime(2026, 11, 30, 18, 50, tzinfo=UTC)

Table = list[tuple[object, ...]]


def database_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


async def open_world(tmp_path: Path) -> Harness:
    """circle has 2 seats, carers 1; see the module's docstring for who has what."""
    config = write_config(tmp_path, carers_capacity=1, database_path=database_path(tmp_path))
    harness = await Harness.open(config, clock=FakeClock(START))
    for who, line in [
        (alice, "/join circle"),
        (carol, "/join circle"),
        (zeph, "/join circle"),  # waiting, number 1
        (bob, "/join circle"),  # waiting behind her
        (carol, "/leave circle"),  # her seat goes to zeph, with a seat offer
        (cara, "/join carers"),
        (zeph, "/join carers"),  # waiting, number 1
        (dan, "/join carers"),  # waiting behind her
        (zeph, "/rsvp circle yes"),
        (alice, "/rsvp circle maybe"),
        (zeph, "/settings quiet 18:00-21:00"),
        (alice, "/settings reminders on"),
    ]:
        await harness.say(line, as_=who)
    harness.clock.advance(minutes=11)  # the 24-hour reminders are due
    await harness.app.reminders.send_due()  # zeph's waits for the end of her quiet hours
    await harness.app.delivery.deliver_due()
    await ask_for_contact(harness)
    await harness.app.delivery.deliver_due()
    return harness


async def ask_for_contact(harness: Harness) -> None:
    """A notice to circle's facilitators that names zeph in its key (as a contact request
    would): addressed to them, about her."""
    circle = harness.app.directory.get("circle")
    assert circle is not None
    notices = FacilitatorNotices(Outbox(harness.clock))
    async with harness.app.database.transaction() as tx:
        key = f"contact:circle:{zeph.key}"
        text = "A member of Tuesday Circle asked to be contacted."
        await notices.tell(tx, circle, key, text, when=harness.clock.now())


def dump(tmp_path: Path) -> dict[str, Table]:
    """Every row of every table in the file (or the PostgreSQL place standing for it),
    all columns, read as committed."""
    tables = every_table(database_path(tmp_path))
    return {name: sorted(rows, key=repr) for name, rows in tables.items()}


def rows_naming(tables: dict[str, Table], needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """``table: row`` for every row with a value containing one of ``needles``."""
    found = []
    for name, rows in tables.items():
        for row in rows:
            if any(needle in str(value).casefold() for value in row for needle in needles):
                found.append(f"{name}: {row!r}")
    return found
