"""The core's ``CommandSpec``s as Discord slash commands, in discord.py's ``CommandTree``.

One declaration per command, generated (as discord.py's hybrid commands do) by giving a
callback the signature the spec describes: a text option per ``ParamSpec``, required or
not, no longer than its ``max_length``; descriptions from the message catalog; options
named ``group`` (and any other with a suggester) answered by autocomplete. The
callback hands the typed values to ``run`` untouched; the dispatcher checks them as it
checks everything else.

Commands for facilitators and organizers are published with
``default_member_permissions = 0``: Discord shows them only to server administrators
and to the roles a server allows them for (Server Settings → Integrations). That is a
convenience, not a safeguard: the core checks every invocation, per group.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord.render import clip
from adapters.discord.translate import option_values
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.errors import log_incident, new_incident_id
from bot.roles import Role

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 100
MAX_OPTION_LENGTH = 6000
MAX_CHOICES = 25

Run = Callable[[discord.Interaction[Any], str, dict[str, str]], Awaitable[None]]
Suggest = Callable[[str], Sequence[tuple[str, str]]]
"""What to offer for what someone has typed so far: ``(value, label)`` pairs."""


def command_tree(client: discord.Client, run: Run) -> app_commands.CommandTree[Any]:
    """The client's (empty) tree. A command Discord still shows but the tree lacks
    (published by an older version) is handed to ``run`` too, so the core answers it."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)

    async def on_error(
        interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            data: Mapping[str, Any] = interaction.data or {}
            await run(interaction, str(data.get("name") or ""), _raw_options(data))
            return
        log_incident(logger, new_incident_id(), "discord command tree", error)

    tree.error(on_error)
    return tree


def fill_tree(
    tree: app_commands.CommandTree[Any],
    specs: Sequence[CommandSpec],
    catalog: Catalog,
    *,
    run: Run,
    suggestions: Mapping[str, Suggest],
    guild_ids: Sequence[int] = (),
) -> None:
    """Put ``specs`` in ``tree`` (replacing what it held) for ``guild_ids``, or globally."""
    guilds = [discord.Object(id=guild) for guild in guild_ids]
    tree.clear_commands(guild=None)
    for guild in guilds:
        tree.clear_commands(guild=guild)
    for spec in specs:
        command = slash_command(spec, catalog, run, suggestions)
        if guilds:
            tree.add_command(command, guilds=guilds)
        else:
            tree.add_command(command)


async def sync_tree(tree: app_commands.CommandTree[Any], guild_ids: Sequence[int]) -> None:
    """Publish the tree: in each server (shown at once) or globally."""
    if not guild_ids:
        await tree.sync()
        return
    for guild in guild_ids:
        await tree.sync(guild=discord.Object(id=guild))


def slash_command(
    spec: CommandSpec, catalog: Catalog, run: Run, suggestions: Mapping[str, Suggest]
) -> app_commands.Command[Any, ..., None]:
    """``spec`` as one slash command."""
    python_names = {f"p{index}": param.name for index, param in enumerate(spec.params)}

    async def invoke(interaction: discord.Interaction[Any], **values: Any) -> None:
        given = {python_names[name]: value for name, value in values.items()}
        await run(interaction, spec.name, option_values(given))

    invoke.__signature__ = _signature(spec)  # type: ignore[attr-defined]
    app_commands.rename(**python_names)(invoke)
    descriptions = {
        python: clip(catalog.text(param.description_key), MAX_DESCRIPTION)
        for python, param in zip(python_names, spec.params, strict=True)
    }
    app_commands.describe(**descriptions)(invoke)
    completers = {
        python: _completer(suggestions[param.name])
        for python, param in zip(python_names, spec.params, strict=True)
        if param.name in suggestions
    }
    if completers:
        app_commands.autocomplete(**completers)(invoke)
    if spec.min_role > Role.MEMBER:
        app_commands.default_permissions()(invoke)  # "0": hidden until a server allows it
    return app_commands.Command(
        name=spec.name,
        description=clip(catalog.text(spec.summary_key), MAX_DESCRIPTION),
        callback=invoke,
    )


def _signature(spec: CommandSpec) -> inspect.Signature:
    """``(interaction, *, p0: str, p1: str = None, ...)``: Python names that are always
    valid, renamed to the spec's names for Discord."""
    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for index, param in enumerate(spec.params):
        length = max(1, min(param.max_length, MAX_OPTION_LENGTH))
        parameters.append(
            inspect.Parameter(
                f"p{index}",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=app_commands.Range[str, None, length],
                default=inspect.Parameter.empty if param.required else None,
            )
        )
    return inspect.Signature(parameters)


def _completer(
    suggest: Suggest,
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def complete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            offered = suggest(current)
        except Exception as error:  # an empty list is a fine answer
            log_incident(logger, new_incident_id(), "discord autocomplete", error)
            return []
        return [
            app_commands.Choice(name=clip(label, 100), value=value[:100])
            for value, label in offered[:MAX_CHOICES]
        ]

    return complete


def _raw_options(data: Mapping[str, Any]) -> dict[str, str]:
    options = data.get("options") or []
    return {
        str(option["name"]): str(option["value"])
        for option in options
        if isinstance(option, Mapping) and "name" in option and "value" in option
    }
