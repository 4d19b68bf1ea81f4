"""No Docker engine runs here, so the Dockerfile is checked statically."""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path

from bot.cli import build_parser
from bot.config import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def _ignored(path: str) -> bool:
    patterns = [p.strip() for p in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    return any(fnmatch.fnmatch(path.rstrip("/"), p) or path.startswith(p.rstrip("/") + "/")
               for p in patterns)


def _stages() -> list[list[tuple[str, str]]]:
    """The instructions of each build stage (a FROM starts one), in order."""
    stages: list[list[tuple[str, str]]] = []
    for word, rest in _instructions():
        if word == "FROM":
            stages.append([])
        stages[-1].append((word, rest))
    return stages


def _ids(text: str) -> tuple[str, str]:
    user, _, group = text.partition(":")
    return user, group


def test_every_copy_source_exists_and_is_not_dockerignored() -> None:
    # COPY --from=<stage> copies from an earlier stage, not from the project.
    copies = [rest for word, rest in _instructions()
              if word == "COPY" and not rest.startswith("--from=")]
    assert copies
    for rest in copies:
        *sources, _dest = shlex.split(rest)
        for source in sources:
            assert (PROJECT_ROOT / source).exists(), source
            assert not _ignored(source), f"{source} is excluded by .dockerignore"


def test_content_and_intents_are_in_the_image() -> None:
    copied = " ".join(rest for word, rest in _instructions() if word == "COPY")
    assert "content/" in copied and "intents/" in copied


def test_entry_command_is_the_installed_console_script() -> None:
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    cmd = [rest for word, rest in _instructions() if word == "CMD"]
    assert len(cmd) == 1
    argv = __import__("json").loads(cmd[0])
    assert argv[0] in scripts
    assert argv[1] in build_parser()._subparsers._group_actions[0].choices  # type: ignore


def test_runs_as_non_root_with_a_data_volume_and_sigterm() -> None:
    instructions = _instructions()
    users = [rest for word, rest in instructions if word == "USER"]
    # Numeric (uid:gid), so a platform can verify "not root" without the image's /etc/passwd.
    assert users and re.fullmatch(r"[1-9]\d*:[1-9]\d*", users[-1]), users
    assert any(word == "VOLUME" and "/data" in rest for word, rest in instructions)
    env = " ".join(rest for word, rest in instructions if word == "ENV")
    assert "DATABASE_PATH=/data/" in env
    assert ("STOPSIGNAL", "SIGTERM") in instructions


def test_the_data_volume_is_private_to_the_bot_user() -> None:
    """The image creates /data (so the bot keeps its mode): 0700, like a folder the bot makes."""
    runs = " ".join(rest for word, rest in _stages()[-1] if word == "RUN")
    user = [rest for word, rest in _instructions() if word == "USER"][-1]
    assert "mkdir -p -m 0700 /data" in runs
    assert f"chown {user} /data" in runs  # owned by the very ids the bot runs as
    uid, gid = _ids(user)
    assert f"--uid {uid}" in runs and f"--gid {gid}" in runs


def test_the_runtime_image_has_no_source_tree_or_build_leftovers() -> None:
    """The bot is built in an earlier stage; the last one gets its virtual environment only:
    no second copy of bot/, no build/ or *.egg-info (pip install . leaves them in the source
    folder), no pip."""
    *builders, runtime = _stages()
    assert builders, "a single stage keeps everything the build left behind"
    copies = [rest for word, rest in runtime if word == "COPY"]
    assert any(rest.startswith("--from=") and "/opt/venv" in rest for rest in copies), copies
    assert not any("bot/" in rest or "pyproject.toml" in rest for rest in copies), copies
    runs = " ".join(rest for word, rest in runtime if word == "RUN")
    assert "pip install" not in runs
    env = " ".join(rest for word, rest in runtime if word == "ENV")
    assert "PATH=/opt/venv/bin:" in env
    built = " ".join(rest for stage in builders for word, rest in stage if word == "RUN")
    assert "pip install --no-deps ." in built and "pip uninstall" in built


def test_healthcheck_runs_a_real_subcommand() -> None:
    checks = [rest for word, rest in _instructions() if word == "HEALTHCHECK"]
    assert len(checks) == 1
    argv = __import__("json").loads(checks[0].split("CMD", 1)[1].strip())
    assert argv[0] == "helpdesk-bot"
    assert argv[1] in build_parser()._subparsers._group_actions[0].choices  # type: ignore


def test_dependencies_install_before_the_code_is_copied() -> None:
    words = [(w, r) for w, r in _instructions() if w in ("COPY", "RUN")]
    first_code_copy = next(i for i, (w, r) in enumerate(words) if w == "COPY" and "bot/" in r)
    deps = next(i for i, (w, r) in enumerate(words) if w == "RUN" and "requirements" in r)
    assert deps < first_code_copy


def test_health_command_reports_a_stale_heartbeat(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.health import check_health, heartbeat_path

    settings = Settings(database_path=tmp_path / "bot.sqlite3")
    assert check_health(settings)  # no heartbeat yet
    beat = heartbeat_path(settings)
    beat.touch()
    assert check_health(settings) == []
    assert check_health(settings, now=beat.stat().st_mtime + 3600)
