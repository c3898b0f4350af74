"""The exceptions of rooflens: one class per kind of engine error (core::ErrorKind).

The message is the engine's, the one the CLI prints; ``exit_code`` is the CLI's exit status for
the same fault (1 usage, 2 bad input, 3 runtime).
"""


class Error(Exception):
    """Any Rooflens error."""

    kind = None
    exit_code = None

    @property
    def message(self):
        return str(self)


class UsageError(Error, ValueError):
    """The request itself is invalid: a setting out of range, an option of another model family,
    a deployment that does not divide the model (CLI exit 1)."""

    kind = "usage"
    exit_code = 1


class BadInputError(Error, ValueError):
    """A file or its data is invalid or unknown: a config, a device profile, a scenario, an id
    (CLI exit 2)."""

    kind = "bad input"
    exit_code = 2


class RunFailedError(Error, RuntimeError):
    """The work could not be done: a file could not be written, the work was cancelled
    (CLI exit 3)."""

    kind = "runtime"
    exit_code = 3
