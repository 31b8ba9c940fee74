"""How fast the Discord adapter answers interactions, against the loopback fake Discord.

N members each run a slash command at the same moment (a public answer and a private
one, alternately), then one member presses a button 15 times; five commands wait on
purpose longer than Discord's 3 seconds allow. Everything (the fake included) runs in
this one event loop, so the figures include the fake's own work. Prints, for each
kind, the time from the interaction to its first response (Discord drops an interaction
that gets none within 3 s) and how many were deferred.
Usage: python -m bench.discord_interactions [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys

from bot.args import Args
from bot.commands import CommandSpec
from bot.context import Context
from bot.replies import Audience, Reply
from tests.adapters.discord_driver import DiscordDriver, registry_with
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcInteraction


async def _slow(ctx: Context, args: Args) -> Reply:
    await asyncio.sleep(3.5)  # longer than Discord waits for a first response
    return Reply("done at last", audience=Audience.ONLY_YOU)


SLOW = CommandSpec("slow", "commands.help", _slow)


def _line(kind: str, asked: list[DcInteraction]) -> str:
    delays = sorted((i.response_delay or 99.0) * 1000 for i in asked)
    deferred = sum(1 for i in asked if i.response_type == 5)
    p95 = delays[max(0, round(len(delays) * 0.95) - 1)]
    return (
        f"{kind:<22} n={len(asked):<4} median {statistics.median(delays):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {delays[-1]:7.1f} ms  deferred {deferred}"
    )


async def main(members: int) -> None:
    async with FakeDiscordApi() as fake:
        driver = DiscordDriver(fake, registry=registry_with(SLOW))
        await driver.start()
        try:
            users = [driver.user(f"m{n}") for n in range(members)]
            commands = [
                fake.slash(u, "here" if n % 2 else "mine", channel=driver.channel)
                for n, u in enumerate(users)
            ]
            slow = [fake.slash(u, "slow", channel=driver.channel) for u in users[:5]]
            for asked in commands:
                await fake.answers(asked, within=60)
            [choice] = await fake.answers(fake.slash(users[0], "choose", channel=driver.channel))
            presses = [fake.press(users[0], choice, "Pick pear") for _ in range(15)]
            for asked in presses + slow:
                await fake.answers(asked, within=60)
        finally:
            await driver.close()
    print(_line("slash command", commands))
    print(_line("button press", presses))
    print(_line("slow (3.5 s) command", slow))
    late = [i for i in fake.interactions.values() if (i.response_delay or 99) >= 3.0]
    print(f"answered later than 3 s: {len(late)} of {len(fake.interactions)}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
