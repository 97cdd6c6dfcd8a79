"""The exception types that mean "the user must do something".

Raise ``UserError`` for expected failures at the edges (a lock held, a stale
plan, a state file written by a newer version, an unreachable database). The
command line prints its message as one line and exits 1, without a traceback,
and so it does for a ``TargetError`` outside apply. Bugs stay ordinary exceptions.
"""


class UserError(Exception):
    """An expected failure whose message says what happened and what to do."""


class TargetError(Exception):
    """The target refused or failed an operation; the message says why, for the apply report."""
