"""The soak's verdict: every command answered exactly once, no state lost, the process
alive to the end and stopping cleanly, memory flat. Each check returns what it found
wrong (nothing: it holds)."""

from __future__ import annotations

from collections import Counter

from tests.soak.figures import MEMORY_GROWTH, memory_growth
from tests.soak.model import differences, seat_problems, stored
from tests.soak.run import Soak

ENDINGS = {"sent", "expired"}  # how an outbox row may end in the soak


def answered_once(run: Soak) -> list[str]:
    found = [f"lost: {lost}" for lost in run.tally.lost[:10]]
    for member in run.telegram:
        if member.surplus():
            found.append(f"{member.key}: {member.surplus():+d} answer(s) in the private chat")
    for discord_member in run.discord:
        found += discord_member.miscounted()
    if run.discord and run.plan.drop_after == 0:
        second = [c for c in run.discord[0].fake.calls if c.code == 40060]
        found += [f"a second response to an interaction: {c.route}" for c in second[:5]]
    found += [f"unkind: {text}" for text in run.tally.unkind[:10]]
    return found


def state_kept(run: Soak) -> list[str]:
    database = stored(run.database)
    model = run.tally.model
    found = list(model.contradictions[:10])
    members = differences(model.expected_members(), database.members)
    if members["missing"] or members["unexpected"]:
        found.append(f"memberships differ from the members' answers: {members}")
    if database.rsvps != model.rsvps:
        found.append(f"RSVPs differ: {differences(model.rsvps.items(), database.rsvps.items())}")
    found += seat_problems(database)
    stuck = {state: n for state, n in database.outbox.items() if state not in ENDINGS}
    if stuck or run.drained_after is None:
        found.append(f"outbox rows not sent: {stuck}")
    if database.promoted_sent != notices_received(run):
        found.append(
            "seat offers sent and received differ: "
            f"{differences(database.promoted_sent.items(), notices_received(run).items())}"
        )
    return found


def notices_received(run: Soak) -> Counter[str]:
    got: Counter[str] = Counter()
    for member in run.telegram:
        got[member.key] += len(member.fake.notices.get(member.user.id, []))
    for discord_member in run.discord:
        got[discord_member.key] += len(discord_member.fake.dm_notices.get(discord_member.dm.id, []))
    return +got  # without the zeros


def process_healthy(run: Soak) -> list[str]:
    found = []
    if not run.alive_at_end:
        found.append("the service had ended before the soak did")
    if run.exit_code != 0:
        found.append(f"the service exited {run.exit_code} on SIGTERM")
    if "Traceback" in run.stderr:
        found.append("a traceback in the service's log")
    samples = run.progress.samples if run.progress else []
    growth = memory_growth(samples)
    if growth > MEMORY_GROWTH:
        found.append(f"memory grew {growth:.1%} after the warm-up: {samples}")
    return found
