"""Errors a user can act on.

Every error raised for bad input or a bad setting is a ``WorkbenchError``: its message is
one line saying what was wrong and what to do. The CLI prints it without a traceback.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem the user can fix; ``str(err)`` is a one-line message."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} ({hint})")


class SettingsError(WorkbenchError):
    """A setting (environment variable) has a bad value or points somewhere unusable."""

    exit_code = 2

    def __init__(self, setting: str, message: str, hint: str | None = None) -> None:
        self.setting = setting
        super().__init__(f"{setting}: {message}", hint)


class InputError(WorkbenchError):
    """A value the user gave (argument, parameter, file) is not acceptable."""

    exit_code = 2


class NotFoundError(WorkbenchError):
    """Something the user named (case, query, user, file) does not exist."""

    exit_code = 3
