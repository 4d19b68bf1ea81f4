"""Settings from the environment (and an optional ``.env``), validated up front.

A bad value must end the program with one clear line naming the variable and exit status 2,
never a traceback. Every value is checked before anything is reported, so one
:class:`ConfigError` carries all the problems at once (one line each), not the first only.
``.env`` is read by python-dotenv (quotes, ``export``, trailing comments, ``${VAR}``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.problems import describe_os_error

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def in_checkout(root: Path = PROJECT_ROOT) -> bool:
    """Running from the project's own folder (a clone, an editable install), not a wheel."""
    return (root / "pyproject.toml").is_file() and (root / "content").is_dir()


def shipped(name: str, root: Path = PROJECT_ROOT) -> Path:
    """The default ``content/`` or ``intents/``: the project's own folder in a checkout (the
    files admins edit), else the copy the wheel ships as ``bot/shipped/<name>``."""
    if in_checkout(root):
        return root / name
    from importlib import resources

    return Path(str(resources.files("bot").joinpath("shipped", name)))


def user_folder(env: Mapping[str, str], variable: str, fallback: str) -> Path | None:
    """The bot's folder in a per-user XDG base folder (``$variable``, else ``~/fallback``);
    None when there is no home folder to put it in."""
    base = env.get(variable, "").strip()
    try:
        return (Path(base).expanduser() if base else Path.home() / fallback) / "helpdesk-bot"
    except RuntimeError:
        return None


def default_database(env: Mapping[str, str], root: Path = PROJECT_ROOT) -> Path:
    """``data/bot.sqlite3`` (of the working folder) in a checkout; installed from a wheel, the
    per-user data folder ($XDG_DATA_HOME/helpdesk-bot, else ~/.local/share/helpdesk-bot)."""
    folder = None if in_checkout(root) else user_folder(env, "XDG_DATA_HOME", ".local/share")
    return folder / "bot.sqlite3" if folder else Path("data/bot.sqlite3")


DEFAULT_CONTENT_DIR = shipped("content")
DEFAULT_INTENTS_DIR = shipped("intents")
DEFAULT_API_BASE = "https://api.telegram.org/bot"
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(Exception):
    """Configuration values are missing or wrong: ``problems`` holds (variable, message) pairs,
    ``lines()`` one line to show for each; ``variable`` is the first one's variable."""

    def __init__(self, variable: str, message: str,
                 more: tuple[tuple[str, str], ...] = ()) -> None:
        self.problems: tuple[tuple[str, str], ...] = ((variable, message), *more)
        self.variable = variable
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{variable}: {message}" for variable, message in self.problems]

    @classmethod
    def of(cls, errors: list[ConfigError]) -> ConfigError:
        """All the problems of ``errors`` (at least one) as one error."""
        problems = [p for error in errors for p in error.problems]
        return cls(*problems[0], more=tuple(problems[1:]))


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Weekly:
    """When the weekly digest goes out: ``weekday`` 0 = Monday (as ``date.weekday()``), at
    ``at`` (UTC)."""

    weekday: int
    at: dt.time


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None = None
    api_base_url: str = DEFAULT_API_BASE
    admin_ids: frozenset[int] = frozenset()
    database_path: Path = Path("data/bot.sqlite3")
    content_dir: Path = DEFAULT_CONTENT_DIR
    intents_dir: Path = DEFAULT_INTENTS_DIR
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    retention_days: int = 30
    content_autoreload: bool = False
    model_cache_dir: Path | None = None  # where trained models are saved; None: never saved
    # Where examples taught from /unanswered are written (<lang>/<intent>.learned.yaml) and
    # read from besides intents_dir; None: into intents_dir itself.
    learned_dir: Path | None = None
    weekly_digest: Weekly | None = None  # None: no weekly digest to the admins (the default)
    extra: Mapping[str, str] = field(default_factory=dict)


def read_dotenv(path: Path) -> dict[str, str]:
    """The ``KEY=VALUE`` lines of a ``.env`` file, as python-dotenv reads them (quotes,
    ``export``, ``#`` comments after a value, ``${VAR}`` from the environment); a line it
    cannot parse is a :class:`ConfigError` naming the line. A missing file is no values."""
    values, error = _read_dotenv(path)
    if error is not None:
        raise error
    return values


def _read_dotenv(path: Path) -> tuple[dict[str, str], ConfigError | None]:
    """The values of the lines python-dotenv can parse, and the error naming those it cannot
    (python-dotenv itself would only log a warning and skip them)."""
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except UnicodeDecodeError:
        return {}, ConfigError(".env", f"{path} is not UTF-8 text")
    except OSError as exc:
        return {}, ConfigError(".env", f"cannot read {path}: {describe_os_error(exc)}")
    bad = [b.original.line for b in parse_stream(io.StringIO(text)) if b.error]
    quiet = logging.getLogger("dotenv.main")
    disabled, quiet.disabled = quiet.disabled, True  # we report bad lines ourselves
    try:
        values = dotenv_values(stream=io.StringIO(text))
    finally:
        quiet.disabled = disabled
    error = None
    if bad:
        which = (f"lines {', '.join(map(str, bad))} are" if len(bad) > 1
                 else f"line {bad[0]} is")
        error = ConfigError(".env", f"{path}: {which} not KEY=VALUE")
    return {key: value for key, value in values.items() if value is not None}, error


def _environment(environ: Mapping[str, str] | None, dotenv: Path | None
                 ) -> tuple[dict[str, str], ConfigError | None]:
    """The process environment over the ``.env`` file (real variables win), and what is wrong
    with the file."""
    merged, error = _read_dotenv(dotenv if dotenv is not None else Path.cwd() / ".env")
    merged.update(os.environ if environ is None else environ)
    return merged, error


def _admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise ConfigError("ADMIN_IDS", f"{part!r} is not a numeric Telegram user id")
        ids.add(int(part))
    return frozenset(ids)


def _check_writable_db(path: Path) -> None:
    """Fail early when the SQLite file could not be created or written."""
    if path.exists():
        if path.is_dir():
            raise ConfigError("DATABASE_PATH", f"{path} is a directory, not a file")
        if not os.access(path, os.W_OK):
            raise ConfigError("DATABASE_PATH", f"{path} is not writable")
        return
    parent = path.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError("DATABASE_PATH", f"cannot create {path}: {probe} is not writable")


def _dir(env: Mapping[str, str], name: str, default: Path) -> Path:
    path = Path(env[name]).expanduser() if env.get(name) else default
    if not path.is_dir():
        raise ConfigError(name, f"folder {path} does not exist")
    return path


def _model_cache_dir(env: Mapping[str, str]) -> Path | None:
    """MODEL_CACHE_DIR, "off" for none, by default the per-user cache folder (XDG)."""
    raw = env.get("MODEL_CACHE_DIR", "").strip()
    if raw.lower() in ("off", "none", "0", "false", "no"):
        return None
    if raw:
        return Path(raw).expanduser()
    return user_folder(env, "XDG_CACHE_HOME", ".cache")  # no home: train at every start


def learned_folder(env: Mapping[str, str], intents_dir: Path, database_path: Path) -> Path:
    """LEARNED_DIR; else ``intents_dir`` itself when the bot may write there (a checkout), else
    ``learned-intents`` beside the database, on the data volume (the Docker image's intents
    are read-only), so that nothing taught is lost on an upgrade."""
    raw = env.get("LEARNED_DIR", "").strip()
    if raw:
        path = Path(raw).expanduser()
        if path.exists() and not path.is_dir():
            raise ConfigError("LEARNED_DIR", f"{path} is not a folder")
        return path
    if os.access(intents_dir, os.W_OK | os.X_OK):
        return intents_dir
    return database_path.parent / "learned-intents"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
        raise ConfigError(name, f"{raw!r} is not a whole number from {low} to {high}")
    return int(raw)


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(name, f"{raw!r} is not 1/0, true/false, yes/no or on/off")


def _weekly(env: Mapping[str, str]) -> Weekly | None:
    """WEEKLY_DIGEST: ``mon 08:00`` (a weekday and a UTC time); empty or ``off`` for none."""
    raw = env.get("WEEKLY_DIGEST", "").strip().lower()
    if raw in ("", "off", "0", "false", "no", "none"):
        return None
    match = re.fullmatch(r"([a-z]+)\s+(\d{1,2}):(\d{2})(?:\s*utc)?", raw)
    day = next((i for i, name in enumerate(WEEKDAYS)
                if match and len(match[1]) >= 3 and name.startswith(match[1])), None)
    if match is None or day is None or int(match[2]) > 23 or int(match[3]) > 59:
        raise ConfigError("WEEKLY_DIGEST", f"{raw!r} is not a weekday and a UTC time such as "
                          "'mon 08:00', or 'off'")
    return Weekly(day, dt.time(int(match[2]), int(match[3]), tzinfo=dt.UTC))


T = TypeVar("T")


class _Collector:
    """Runs each check, keeping its value or its :class:`ConfigError`, so that all problems are
    reported together."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def __call__(self, check: Callable[[], T], default: T) -> T:
        try:
            return check()
        except ConfigError as exc:
            self.errors.append(exc)
            return default

    def fail(self, variable: str, message: str) -> None:
        self.errors.append(ConfigError(variable, message))


def _token(env: Mapping[str, str], require: bool, check: bool) -> str | None:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is None and require:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "not set")
    if token is not None and not TOKEN_RE.fullmatch(token):
        if not check:  # a command that never talks to Telegram does not care
            return None
        # Never echo the value: it may be a real token with a typo.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN", "does not look like a token from @BotFather (digits:letters)"
        )
    return token


def _api_base(env: Mapping[str, str]) -> str:
    base = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE
    if not re.match(r"^https?://[^\s/]+", base):
        raise ConfigError("TELEGRAM_API_BASE_URL", f"{base!r} is not an http(s) URL")
    return base


def _log_level(env: Mapping[str, str]) -> str:
    level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"{level!r} is not one of {', '.join(LOG_LEVELS)}")
    return level


def _webhook_url(env: Mapping[str, str]) -> str | None:
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    if webhook_url is not None and not webhook_url.startswith("https://"):
        raise ConfigError("WEBHOOK_URL", "must start with https:// (Telegram only calls HTTPS)")
    return webhook_url


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not SECRET_RE.fullmatch(secret):
        raise ConfigError("WEBHOOK_SECRET", "use 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return secret


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    dotenv: Path | None = None,
    require_token: bool = False,
    check_token: bool = True,
    check_database: bool = True,
) -> Settings:
    """Read and validate every setting; raise one :class:`ConfigError` with every problem.

    ``check_token`` / ``check_database``: whether the command uses Telegram / writes the
    database; when it does not, a malformed token is ignored (read as none) and an unwritable
    ``DATABASE_PATH`` is not its concern (see :func:`offline_settings`).
    """
    check = _Collector()
    env, dotenv_error = _environment(environ, dotenv)
    if dotenv_error is not None:  # the file's other lines and the environment still count
        check.errors.append(dotenv_error)
    token = check(lambda: _token(env, require_token, check_token), None)
    base = check(lambda: _api_base(env), DEFAULT_API_BASE)
    level = check(lambda: _log_level(env), "INFO")
    db_raw = env.get("DATABASE_PATH", "").strip()
    database_path = Path(db_raw).expanduser() if db_raw else default_database(env)
    if check_database:
        check(lambda: _check_writable_db(database_path), None)
    webhook_url = check(lambda: _webhook_url(env), None)
    secret = check(lambda: _webhook_secret(env), None)
    if webhook_url is not None and secret is None and "WEBHOOK_SECRET" not in {
            e.variable for e in check.errors}:
        # Without it anyone who finds the URL can post forged updates (admin ids included).
        check.fail("WEBHOOK_SECRET", "not set, and WEBHOOK_URL needs it so that only "
                   "Telegram can post updates: set it to a random string, e.g. the "
                   "output of `openssl rand -hex 32`")
    intents_dir = check(lambda: _dir(env, "INTENTS_DIR", DEFAULT_INTENTS_DIR),
                        DEFAULT_INTENTS_DIR)
    settings = Settings(
        token=token,
        api_base_url=base,
        admin_ids=check(lambda: _admin_ids(env.get("ADMIN_IDS", "")), frozenset()),
        database_path=database_path,
        content_dir=check(lambda: _dir(env, "CONTENT_DIR", DEFAULT_CONTENT_DIR),
                          DEFAULT_CONTENT_DIR),
        intents_dir=intents_dir,
        learned_dir=learned_folder(env, intents_dir, database_path),
        log_level=level,
        webhook_url=webhook_url,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
        webhook_port=check(lambda: _int(env, "WEBHOOK_PORT", 8443, 1, 65535), 8443),
        webhook_secret=secret,
        retention_days=check(lambda: _int(env, "RETENTION_DAYS", 30, 1, 3650), 30),
        content_autoreload=check(lambda: _bool(env, "CONTENT_AUTORELOAD"), False),
        model_cache_dir=_model_cache_dir(env),
        weekly_digest=check(lambda: _weekly(env), None),
    )
    if check.errors:
        raise ConfigError.of(check.errors)
    return settings


def offline_settings() -> Settings:
    """Settings for commands that need neither Telegram nor a writable database (``chat``,
    ``check``, ``parse``, ``classify``, ``eval``): a malformed TELEGRAM_BOT_TOKEN or an
    unwritable DATABASE_PATH does not stop them; every other setting is still checked."""
    return load_settings(check_token=False, check_database=False)


def log_level_number(settings: Settings) -> int:
    """The ``logging`` constant for the configured level."""
    return int(logging.getLevelName(settings.log_level))
