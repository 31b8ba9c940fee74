"""Buttons that keep working after a restart: discord.py ``DynamicItem``s.

A reply's button carries its action as its ``custom_id`` (``join:tuesday-recovery``,
``command:arguments``), so pressing it needs nothing the process remembers: the
client knows the *pattern* of our custom ids (``add_dynamic_items``), and any press
whose id fits it — on a message sent a minute or a month ago, before any number of
restarts — comes back as that action. A form's button (``~form:<form id>``) opens the
form as a modal.

Messages are sent with a ``View`` that is stopped before sending, so discord.py keeps
no per-message state for them: the patterns are all it needs. A stopped view is only
read (``to_components``), so ``StoppedViews`` keeps one per set of buttons and hands it
out again: building one costs about 50 µs, a tenth of what answering ``/groups`` costs
the adapter, and ``/groups`` shows the same buttons every time.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Self

import discord
from discord import ui

from adapters.discord.render import button_label, rows_for
from bot.replies import Button

FORM_PREFIX = "~form:"
ACTION_TEMPLATE = r"(?P<action>[a-z][a-z0-9_]{0,31}:[\s\S]*)"
FORM_TEMPLATE = re.escape(FORM_PREFIX) + r"(?P<form_id>[a-z][a-z0-9_]{0,31}:[\s\S]*)"

Pressed = Callable[[discord.Interaction[Any], str], Awaitable[None]]


def dynamic_items(
    on_action: Pressed, on_form: Pressed
) -> tuple[type[ui.DynamicItem[ui.Button[ui.View]]], ...]:
    """The two button patterns, calling ``on_action(interaction, action)`` and
    ``on_form(interaction, form_id)`` when pressed."""

    class ActionButton(ui.DynamicItem[ui.Button[ui.View]], template=ACTION_TEMPLATE):
        def __init__(self, action: str) -> None:
            super().__init__(ui.Button(custom_id=action))
            self.action = action

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
        ) -> Self:
            return cls(match["action"])

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await on_action(interaction, self.action)

    class FormButton(ui.DynamicItem[ui.Button[ui.View]], template=FORM_TEMPLATE):
        def __init__(self, form_id: str) -> None:
            super().__init__(ui.Button(custom_id=FORM_PREFIX + form_id))
            self.form_id = form_id

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
        ) -> Self:
            return cls(match["form_id"])

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await on_form(interaction, self.form_id)

    return ActionButton, FormButton


def view_of(buttons: Sequence[Button]) -> ui.View | None:
    """``buttons`` as a stopped view (one per row while they fit), or None."""
    return _stopped_view(buttons) if buttons else None


def _stopped_view(buttons: Sequence[Button]) -> ui.View:
    view = ui.View(timeout=None)
    for button, row in zip(buttons, rows_for(len(buttons)), strict=False):
        view.add_item(
            ui.Button(
                label=button_label(button.label),
                custom_id=button.action,
                style=discord.ButtonStyle.secondary,
                row=row,
            )
        )
    view.stop()  # the patterns above answer presses: nothing to keep per message
    return view


class StoppedViews:
    """``view_of``, remembered: the same buttons give the same (stopped) view, for the
    ``kept`` sets of buttons used last."""

    def __init__(self, kept: int = 256) -> None:
        self._kept = kept
        self._views: OrderedDict[tuple[Button, ...], ui.View] = OrderedDict()

    def of(self, buttons: Sequence[Button]) -> ui.View | None:
        if not buttons:
            return None
        key = tuple(buttons)
        view = self._views.get(key)
        if view is not None:
            self._views.move_to_end(key)
            return view
        made = self._views[key] = _stopped_view(key)
        if len(self._views) > self._kept:
            self._views.popitem(last=False)
        return made


def form_view(label: str, form_id: str) -> ui.View:
    """The one button that opens the form ``form_id``."""
    view = ui.View(timeout=None)
    view.add_item(
        ui.Button(
            label=button_label(label),
            custom_id=FORM_PREFIX + form_id,
            style=discord.ButtonStyle.primary,
        )
    )
    view.stop()
    return view
