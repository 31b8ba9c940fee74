"""``deploy/``: the systemd unit and the Dockerfile say what the README promises (there
is no docker daemon or systemd here, so they are read, not run): a non-root user, the
database on a volume or in the state directory, tokens only from the environment, stop
on SIGTERM, reload on SIGHUP, restart on failure, and commands that exist."""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "deploy" / "peercircle.service"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
SECRET = re.compile(r"(TOKEN|KEY)=\S", re.IGNORECASE)


def _unit() -> dict[str, dict[str, list[str]]]:
    """A systemd unit: sections of keys, each with every value it was given."""
    sections: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    section = ""
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, separator, value = line.partition("=")
        assert separator, f"not a unit line: {raw!r}"
        assert section, f"a line before any [section]: {raw!r}"
        sections[section][key.strip()].append(value.strip())
    return sections


def _instructions() -> list[tuple[str, str]]:
    """A Dockerfile's instructions, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _environment(values: list[str]) -> dict[str, str]:
    pairs = [pair for value in values for pair in shlex.split(value)]
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_unit_runs_the_service_as_its_own_user_and_restarts_on_failure() -> None:
    unit = _unit()
    service = unit["Service"]

    assert service["User"] == ["peercircle"]
    assert service["ExecStart"][0].split()[-1] == "run"
    assert service["ExecStart"][0].split()[0].endswith("/peercircle")
    assert service["Restart"] == ["on-failure"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert service["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert service["StateDirectory"] == ["peercircle"]
    environment = _environment(service["Environment"])
    assert environment["PEERCIRCLE_STORAGE__URL"].startswith("sqlite:////var/lib/peercircle/")
    assert environment["PEERCIRCLE_CONSOLE__ENABLED"] == "false"
    assert service["EnvironmentFile"] == ["/etc/peercircle/peercircle.env"]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    assert not SECRET.search(UNIT.read_text(encoding="utf-8"))


def test_the_image_runs_as_a_non_root_user_with_the_data_on_a_volume() -> None:
    steps = _instructions()
    keywords = [keyword for keyword, _ in steps]

    assert steps[0] == ("FROM", "python:3.11-slim")
    [user] = [rest for keyword, rest in steps if keyword == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    [volume] = [rest for keyword, rest in steps if keyword == "VOLUME"]
    env = _environment([rest for keyword, rest in steps if keyword == "ENV"])
    database = env["PEERCIRCLE_STORAGE__URL"].removeprefix("sqlite:///")
    assert Path(database).parent.as_posix() in volume
    assert env["PEERCIRCLE_CONFIG"] == "/etc/peercircle/peercircle.toml"
    assert ("STOPSIGNAL", "SIGTERM") in steps
    assert ("ENTRYPOINT", '["peercircle"]') in steps
    assert ("CMD", '["run"]') in steps
    assert not any("TOKEN" in name or "KEY" in name for name in env)


def test_the_image_copies_what_the_package_needs() -> None:
    copies = [rest.split() for keyword, rest in _instructions() if keyword == "COPY"]
    sources = [source for *from_, _ in copies for source in from_]  # COPY src... dest
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    [packages] = re.findall(r"include = \[([^\]]*)\]", pyproject)
    wanted = {name.strip().strip('"').rstrip("*") for name in packages.split(",")}

    assert wanted == {"bot", "groups", "adapters"}
    assert {*wanted, "pyproject.toml", "README.md"} <= set(sources)  # README: the readme
    for source in sources:
        assert (ROOT / source).exists(), source


@pytest.mark.parametrize("command", ["run", "reload", "check-config", "doctor"])
def test_the_commands_the_deployment_uses_exist(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"peercircle {command}" in capsys.readouterr().out


def test_the_readme_documents_the_deployment() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme[readme.index("## Deploy") :]
    deploy = deploy[: deploy.find("\n## ", 1)]

    for needed in (
        "deploy/peercircle.service",
        "deploy/Dockerfile",
        "docker build -f deploy/Dockerfile",
        "systemctl reload peercircle",
        "peercircle doctor",
        "PEERCIRCLE_TELEGRAM__TOKEN",
        "/var/lib/peercircle",
    ):
        assert needed in deploy, needed
