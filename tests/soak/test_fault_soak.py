"""Issue 13, the fault soak: 10,000 mixed commands from 500 members, half on Telegram and
half on Discord, through the loopback fakes to one ``peercircle run`` with both adapters,
while the fakes answer 5 % of calls 429, 2 % 500 and drop 1 % of connections, Discord's
gateway drops now and then and another program locks the database now and then.

Then: every command answered exactly once; the database holds what the members' answers
said (memberships, RSVPs) and its outbox has nothing stuck; the service ran to the end,
stops with exit 0 on SIGTERM, and its memory stayed flat. The figures go to
``soak.json`` in the test's temporary folder (and to the output with ``-s``).
``tests/soak/README.md`` says how to run a longer one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.soak.checks import answered_once, process_healthy, state_kept
from tests.soak.figures import write
from tests.soak.run import Plan, soak

pytestmark = pytest.mark.skipif(
    "MUTANT_UNDER_TEST" in os.environ, reason="a subprocess's calls are invisible to mutmut"
)

BUDGET = float(os.environ.get("PEERCIRCLE_SOAK_BUDGET", 240))  # seconds, a loaded CI box


@pytest.mark.timeout(BUDGET + 180)  # the start, the drain and the stop come on top
async def test_fault_soak(tmp_path: Path) -> None:
    plan = Plan.from_env()
    run = await soak(plan, tmp_path)
    found = write(run, tmp_path)

    assert found["commands"] == plan.commands
    assert answered_once(run) == []
    assert state_kept(run) == []
    assert process_healthy(run) == []
    assert run.seconds < BUDGET, f"{run.seconds:.0f} s for {plan.commands} commands"
    faults = found["faults"]
    assert all(faults[side]["429"] and faults[side]["500"] for side in faults), faults
    assert found["database_locks"]["held"] > 0
