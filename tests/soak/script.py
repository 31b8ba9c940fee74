"""What the soak's members do: a random mix of commands, the same on both platforms,
and the tally of how each was answered."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.soak.config import GROUPS
from tests.soak.model import Model, unkind

# kind: weight. press_join presses "Join ..." under the member's last /groups answer and
# press_settings a toggle under their last /settings answer (each asks first if needed).
MIX = {
    "join": 22,
    "leave": 12,
    "rsvp": 12,
    "groups": 7,
    "press_join": 8,
    "mygroups": 8,
    "next": 6,
    "settings": 4,
    "press_settings": 4,
    "crisis": 4,
    "help": 3,
    "text": 10,
}
SLUG_WEIGHTS = (35, 30, 20, 15)  # the small groups most: waiting lists and promotions
ANSWERS = ("yes", "no", "maybe")
SETTINGS_TOGGLES = (
    "Turn reminders off",
    "Turn reminders on",
    "Turn announcement copies on",
    "Turn announcement copies off",
)
TYPED = "thanks, see you at the next meeting"  # typed text that is not a command


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    slug: str | None = None
    answer: str | None = None


def choose(rng: random.Random) -> Step:
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    slug = rng.choices([g.slug for g in GROUPS], weights=SLUG_WEIGHTS)[0]
    if kind in ("join", "leave", "press_join"):
        return Step(kind, slug)
    if kind == "rsvp":
        return Step(kind, slug, rng.choice(ANSWERS))
    if kind == "next":
        return Step(kind, slug)
    return Step(kind)


def group_name(slug: str) -> str:
    return next(g.name for g in GROUPS if g.slug == slug)


@dataclass
class Tally:
    """Every command's outcome, for the checks and the figures."""

    model: Model = field(default_factory=Model)
    latencies: list[float] = field(default_factory=list)  # seconds, answered commands
    by_kind: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # commands with no answer in time
    doubled: list[str] = field(default_factory=list)  # commands answered more than once
    unkind: list[str] = field(default_factory=list)  # error texts shown to members
    privately: int = 0  # Discord interactions expired, answered in the private chat
    done: int = 0
    tick: Callable[[], None] = field(default=lambda: None)  # after every command

    def answered(self, who: str, step: Step, latency: float, texts: list[str]) -> None:
        self.done += 1
        self.tick()
        self.latencies.append(latency)
        self.by_kind[step.kind] = self.by_kind.get(step.kind, 0) + 1
        for text in texts:
            if unkind(text):
                self.unkind.append(f"{who} {step.kind}: {text[:120]}")
        if texts:
            self.model.learn(who, step.slug, texts[0])

    def unanswered(self, who: str, step: Step, seen: int) -> None:
        self.done += 1
        self.tick()
        self.lost.append(f"{who} {step.kind} {step.slug or ''}: {seen} answer(s) in time")
