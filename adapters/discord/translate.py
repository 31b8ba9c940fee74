"""Discord interactions and messages as PeerCircle events: who, where, and what.

Only what PeerCircle needs is read: the person (id and the name they show), the place
(a server channel, a thread in one, or a private chat) and the command's options, the
pressed button's action, a modal's answers or a private message's text. Bots, and
messages in server channels (the bot does not read those), are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.events import Actor, MessageRef, Place

PLATFORM = "discord"


def actor_of(user: discord.User | discord.Member) -> Actor:
    return Actor(PLATFORM, str(user.id), user.display_name)


def place_of_interaction(interaction: discord.Interaction[Any]) -> Place:
    """Where ``interaction`` happened: a server channel (a thread's parent channel, with
    the thread), or the private chat with the bot."""
    channel = interaction.channel
    channel_id = interaction.channel_id or 0
    if interaction.guild_id is None:
        return Place(PLATFORM, str(channel_id), private=True)
    guild = str(interaction.guild_id)
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return Place(
            PLATFORM,
            str(channel.parent_id),
            private=False,
            thread_id=str(channel.id),
            guild_id=guild,
        )
    return Place(PLATFORM, str(channel_id), private=False, guild_id=guild)


def origin_of(interaction: discord.Interaction[Any]) -> MessageRef | None:
    """The message whose button was pressed, if the bot can edit it later (not an
    ephemeral one: only the interaction itself can change that)."""
    message = interaction.message
    if message is None or message.flags.ephemeral:
        return None
    channel_id = interaction.channel_id or message.channel.id
    return MessageRef(PLATFORM, str(channel_id), (str(message.id),))


def private_message_place(message: discord.Message) -> Place | None:
    """The private chat ``message`` was written in; None for any other message."""
    if message.guild is not None or message.author.bot:
        return None
    if not isinstance(message.channel, discord.DMChannel | discord.PartialMessageable):
        return None
    return Place(PLATFORM, str(message.channel.id), private=True)


def channel_id_of(place: Place) -> int:
    """The channel to post in for ``place`` (a thread's own id when it has one)."""
    return int(place.thread_id if place.thread_id is not None else place.chat_id)


def option_values(values: Mapping[str, object]) -> dict[str, str]:
    """A slash command's options as the core's values: text, without the ones left out."""
    return {name: str(value) for name, value in values.items() if value is not None}


def modal_answers(data: Mapping[str, Any]) -> dict[str, str]:
    """A submitted modal's answers by field name: a text input's value, a select's
    (first) chosen value; fields left empty as ""."""
    answers: dict[str, str] = {}
    for component in _walk(data.get("components") or []):
        custom_id = component.get("custom_id")
        if not isinstance(custom_id, str):
            continue
        if component.get("type") == 3:
            chosen = component.get("values") or []
            answers[custom_id] = str(chosen[0]) if chosen else ""
        else:
            answers[custom_id] = str(component.get("value") or "")
    return answers


def _walk(components: Sequence[Any]) -> list[Mapping[str, Any]]:
    """Every field in a modal submission: inside labels (type 18) and, in older
    modals, inside action rows (type 1)."""
    found: list[Mapping[str, Any]] = []
    for component in components:
        if not isinstance(component, Mapping):
            continue
        if component.get("type") == 18 and isinstance(component.get("component"), Mapping):
            found.append(component["component"])
        elif component.get("type") == 1:
            found.extend(_walk(component.get("components") or []))
        else:
            found.append(component)
    return found
