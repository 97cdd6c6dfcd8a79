"""The one exception type that means "the user must do something".

Raise ``UserError`` for expected failures at the edges (a lock held, a stale
plan, a state file written by a newer version, an unreachable database). The
command line prints its message as one line and exits 1, without a traceback.
Bugs stay ordinary exceptions.
"""


class UserError(Exception):
    """An expected failure whose message says what happened and what to do."""
