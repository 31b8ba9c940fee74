"""What Discord grants: a configured facilitator role (by name, any case, or by id) in a
server makes its holder a facilitator *there*, nowhere else; and a sharded bot serves
every shard it was given."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.events import Place
from bot.roles import Role
from tests.adapters.discord_driver import DiscordDriver
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcGuild


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api
        assert api.internal_errors == []


def _in(server: DcGuild) -> Place:
    return Place("discord", str(server.channels[0].id), private=False, guild_id=str(server.id))


async def test_a_configured_role_grants_facilitator_in_its_server_only(
    fake: FakeDiscordApi,
) -> None:
    server = fake.guild("Circle", roles=("Facilitator", "Helpers"))
    other = fake.guild("Elsewhere", roles=("Facilitator",))
    helpers = server.role("Helpers").id
    changes = {"facilitator_roles": ("facilitator", str(helpers))}
    driver = DiscordDriver(fake, server=server, option_changes=changes)
    fran, hal, pat = driver.user("fran"), driver.user("hal"), driver.user("pat")
    fake.join(server, fran, roles=("Facilitator",))
    fake.join(server, hal, roles=("Helpers",))
    fake.join(other, pat, roles=("Facilitator",))
    await driver.start()
    try:
        role = driver.adapter.platform_role
        assert await role(driver.actor("fran"), _in(server)) is Role.FACILITATOR  # by name
        assert await role(driver.actor("hal"), _in(server)) is Role.FACILITATOR  # by id
        assert await role(driver.actor("pat"), _in(server)) is Role.MEMBER
        assert await role(driver.actor("pat"), _in(other)) is Role.FACILITATOR
        assert await role(driver.actor("fran"), _in(other)) is Role.MEMBER  # not a member there
        private = Place("discord", "1", private=True)
        assert await role(driver.actor("fran"), private) is Role.MEMBER
    finally:
        await driver.close()
    asked = [c for c in fake.calls if c.route.endswith("/members/{user_id}")]
    assert len(asked) == 5  # once each; the private chat asks nothing


async def test_the_roles_an_interaction_brings_are_used_without_asking(
    fake: FakeDiscordApi,
) -> None:
    server = fake.guild("Circle")
    driver = DiscordDriver(fake, server=server)
    fake.join(server, driver.user("fran"), roles=("Facilitator",))
    await driver.start()
    try:
        await driver.say("fran", "/here", shared=True)
        role = await driver.adapter.platform_role(driver.actor("fran"), _in(server))
    finally:
        await driver.close()
    assert role is Role.FACILITATOR
    assert not [c for c in fake.calls if c.route.endswith("/members/{user_id}")]


async def test_a_sharded_bot_serves_every_shard(fake: FakeDiscordApi) -> None:
    servers = []
    for n in range(6):
        servers.append(fake.guild(f"Server {n}"))
        fake.new_id()  # spread the servers' ids over both shards
    by_shard = {shard: [s for s in servers if (s.id >> 22) % 2 == shard] for shard in (0, 1)}
    assert by_shard[0]
    assert by_shard[1]
    driver = DiscordDriver(fake, server=by_shard[1][0], option_changes={"shard_count": 2})
    await driver.start()
    try:
        await fake.wait_until_connected(sessions=2)
        assert {session.shard for session in fake.gateway.latest.values()} == {(0, 2), (1, 2)}
        seen = await driver.say("ann", "/here", shared=True)  # a server of shard 1
        private = await driver.say("ann", "/mine", shared=False)  # private chats: shard 0
    finally:
        await driver.close()
    assert [s.text for s in seen] == ["For everyone: the group meets on Tuesdays."]
    assert [s.text for s in private] == ["secret-for ann"]
