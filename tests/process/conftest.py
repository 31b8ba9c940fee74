"""The subprocess tests sit out mutation testing, which cannot use them.

mutmut 3 runs, for each mutant, only the tests that called the mutated function in the
pytest process (its trampolines record the calls there). What a child ``python -m bot``
calls is invisible to it, so no test in this folder is ever chosen for a mutant; and in
mutmut's stats pass the child's trampolines look for mutmut's settings in the child's
working directory, which fails for the tests that run in a temporary folder. Skipping
them under mutmut changes no mutant's verdict. mutmut sets ``MUTANT_UNDER_TEST`` in
every pass; a plain ``pytest`` run (and CI) runs them as always.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _not_under_mutmut() -> None:
    if "MUTANT_UNDER_TEST" in os.environ:
        pytest.skip("a subprocess's calls are invisible to mutmut's per-mutant test selection")
