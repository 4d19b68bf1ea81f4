"""A problem found in a content or intents file, reported as ``file:line: message``.

Shared by the content checker, the intents validator and ``/reload`` so that admins see one
format everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in an admin-editable file; ``line`` is 1-based, 0 when unknown."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised when content or intents cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        super().__init__(f"{len(self.problems)} problem(s): {first}")


def describe_os_error(exc: OSError) -> str:
    """What went wrong with a file, in words ("no such file or directory"), without Python's
    ``[Errno 2]`` and quoting; the caller names the file."""
    reason = exc.strerror or "cannot be used"
    return reason[:1].lower() + reason[1:]
