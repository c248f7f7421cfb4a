"""The one exception family the CLI turns into a message and an exit code."""


class ScaffoldError(Exception):
    """A failure whose message is shown to the user as-is."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInputError(ScaffoldError):
    """A bad answer, argument, path or project state: the user can fix it and retry."""

    exit_code = 2
