"""Running ``peercircle`` as a real subprocess, the way a newcomer or CI would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "config.example.toml"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def peercircle(
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    environment.update(env or {})
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=cwd or ROOT,
        env=environment,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def example_copy(directory: Path) -> Path:
    """The example config in its own folder, so its SQLite file lands there too."""
    target = directory / "config.toml"
    shutil.copy(EXAMPLE, target)
    return target


def console(config: Path, lines: list[str], *args: str) -> Run:
    return peercircle("--config", str(config), "console", *args, stdin="\n".join(lines) + "\n")
