"""The README's console transcripts, run word for word: what a newcomer reads is what
the console prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.process.cli import EXAMPLE, ROOT

MARKER = "<!-- transcript: checked by tests/process/test_readme.py -->"
BLOCK = re.compile(re.escape(MARKER) + r"\n```text\n(.*?)```", re.DOTALL)


def _transcripts() -> list[str]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_transcripts() -> None:
    assert len(_transcripts()) >= 2


@pytest.mark.parametrize("transcript", _transcripts())
def test_a_readme_transcript_is_what_the_console_prints(tmp_path: Path, transcript: str) -> None:
    lines = transcript.splitlines()
    commands = [line[2:] for line in lines if line.startswith("$ ")]
    expected = "\n".join(line for line in lines if not line.startswith("$ "))
    shutil.copy(EXAMPLE, tmp_path / "config.example.toml")
    peercircle = f"{sys.executable} -m bot"
    script = " && ".join(c.replace(".venv/bin/peercircle", peercircle) for c in commands)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env["PYTHONPATH"] = str(ROOT)

    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip() == expected.rstrip()
