"""When the console hands lines over. Scripted (piped) input: each line waits for every
earlier answer, so a script prints the same on every run. Live (a terminal): commands go
at once, through the lanes, and what depends on earlier answers waits for them. A
``Gate`` command stands for a command waiting on the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable

from adapters.console.adapter import ConsoleAdapter
from adapters.console.input import InputLine, lines_from
from bot.catalog import Catalog
from bot.lanes import DEFAULT_LIMIT, SLOW_DOWN
from bot.platforms import Platforms
from bot.replies import Button
from bot.roles import Role
from tests.adapters.console_driver import ConsoleDriver, ScriptedLines, WatchedOutput
from tests.adapters.gate import SOS, Gate
from tests.adapters.telegram_driver import dispatcher_with

HERE = "For everyone: the group meets on Tuesdays."
WITHIN = 5.0


def console(
    lines: AsyncIterable[InputLine], gate: Gate, *, live: bool, echo: bool = True, grace: float = 5
) -> tuple[ConsoleAdapter, asyncio.Task[None], WatchedOutput]:
    """A console on the conformance commands, ``gate``'s and SOS, started."""
    out = WatchedOutput()
    platforms = Platforms()
    adapter = ConsoleAdapter(
        Catalog.load(),
        bot_name="PeerCircle",
        user="alice",
        role=Role.MEMBER,
        lines=lines,
        out=out,
        echo=echo,
        live=live,
        stop_grace=grace,
    )
    platforms.attach(adapter)
    inbox = dispatcher_with(platforms, gate.spec(), SOS)
    return adapter, asyncio.create_task(adapter.start(inbox)), out


async def live_driver(gate: Gate) -> ConsoleDriver:
    driver = ConsoleDriver()
    await driver.start(dispatcher_with(driver.platforms, gate.spec(), SOS))
    return driver


async def test_scripted_lines_wait_for_every_earlier_answer() -> None:
    gate = Gate()
    lines = lines_from(["/slow", "/sos", ":as bob", "/here"])
    _, running, out = console(lines, gate, live=False)
    await asyncio.wait_for(gate.entered.wait(), WITHIN)
    await asyncio.sleep(0.05)

    assert "help is here" not in out.getvalue()  # even an urgent command waits its line
    gate.release.set()
    await asyncio.wait_for(running, WITHIN)
    shown = out.getvalue()
    order = ["slow done", "alice> /sos", "help is here", "(you are now bob", "bob> /here", HERE]
    assert [shown.index(text) for text in order] == sorted(shown.index(t) for t in order)


async def test_live_urgent_commands_and_other_speakers_go_ahead_of_a_slow_command() -> None:
    gate = Gate()
    driver = await live_driver(gate)
    try:
        await driver.type("/slow")
        await asyncio.wait_for(gate.entered.wait(), WITHIN)
        await driver.type("/sos")
        await driver.out.until(lambda out: "help is here" in out)
        await driver.become("bob")
        await driver.type("/here")
        await driver.out.until(lambda out: HERE in out)

        assert "slow done" not in driver.out.getvalue()
        gate.release.set()
        await asyncio.wait_for(driver.adapter.settled(), WITHIN)
    finally:
        gate.release.set()
        await driver.close()
    late = driver.out.getvalue().rstrip("\n").split("\n\n")[-1]
    assert late == "(message to alice)\n  slow done"  # bob types now: headed for alice


async def test_live_a_number_waits_for_the_buttons_it_presses() -> None:
    gate = Gate("menu", buttons=(Button("Pick apple", "picked:apple"),))
    driver = await live_driver(gate)
    try:
        await driver.type("/menu")
        await asyncio.wait_for(gate.entered.wait(), WITHIN)
        pressing = asyncio.create_task(driver.type("1"))
        await asyncio.sleep(0.05)

        assert not pressing.done()  # "1" means nothing until the buttons are shown
        gate.release.set()
        await asyncio.wait_for(pressing, WITHIN)
        await asyncio.wait_for(driver.adapter.settled(), WITHIN)
    finally:
        gate.release.set()
        await driver.close()
    assert "You picked apple." in driver.out.getvalue()


async def test_at_a_terminal_a_quick_answer_comes_before_the_prompt() -> None:
    lines = ScriptedLines()
    _, running, out = console(lines, Gate(), live=True, echo=False)
    await out.until(lambda shown: shown.endswith("alice> "))
    await lines.feed("/here")
    await out.until(lambda shown: HERE in shown)
    await lines.feed(None)
    await asyncio.wait_for(running, WITHIN)

    assert out.getvalue().endswith(f"\n\nalice>   {HERE}\n\nalice> ")  # as if in turn


async def test_at_a_terminal_a_slow_answer_comes_on_its_own_line_then_the_prompt() -> None:
    gate = Gate()
    lines = ScriptedLines()
    _, running, out = console(lines, gate, live=True, echo=False)
    await out.until(lambda shown: shown.endswith("alice> "))
    await lines.feed("/slow")
    await out.until(lambda shown: shown.count("alice> ") == 2)  # asked again meanwhile

    gate.release.set()
    await out.until(lambda shown: "slow done" in shown)
    await lines.feed(None)
    await asyncio.wait_for(running, WITHIN)
    assert out.getvalue().endswith("alice> \n  slow done\n\nalice> ")


async def test_end_of_input_answers_everything_typed_first() -> None:
    gate = Gate()
    _, running, out = console(lines_from(["/slow", "/here"]), gate, live=True)
    await asyncio.wait_for(gate.entered.wait(), WITHIN)
    await asyncio.sleep(0.05)

    assert not running.done()
    gate.release.set()
    await asyncio.wait_for(running, WITHIN)
    assert out.getvalue().index("slow done") < out.getvalue().index(HERE)


async def test_stop_waits_for_answers_in_flight_at_most_the_grace() -> None:
    gate = Gate()
    lines = ScriptedLines()
    adapter, running, out = console(lines, gate, live=True, grace=0.1)
    await lines.feed("/slow")
    await asyncio.wait_for(gate.entered.wait(), WITHIN)

    await adapter.stop()
    await asyncio.wait_for(running, WITHIN)
    assert "slow done" not in out.getvalue()


async def test_a_flood_is_told_once_to_slow_down_and_the_rest_answered_in_order() -> None:
    gate = Gate()
    driver = await live_driver(gate)
    slow_down = Catalog.load().text(SLOW_DOWN)
    try:
        await driver.type("/slow")
        for n in range(1, DEFAULT_LIMIT + 3):
            await driver.type(f"/echo {n}")
        await driver.out.until(lambda out: slow_down in out)
        gate.release.set()
        await asyncio.wait_for(driver.adapter.settled(), WITHIN)
    finally:
        gate.release.set()
        await driver.close()
    shown = driver.out.getvalue()
    assert shown.count(slow_down) == 1
    said = [f"You said: {n}" for n in range(1, DEFAULT_LIMIT)]
    assert [s.text for s in driver.parse(shown) if s.text.startswith("You said")] == said
