"""The command line: parses arguments, calls the library, prints, sets the exit status.

Nothing here decides anything about campaigns. Each command group lives in a
module of this package and registers itself on ``main``; this module holds the
group, the global ``--chdir`` option, the translation of ``UserError`` and of
click's usage errors into exit status 1, the library's warnings into lines on
stderr, and SIGTERM handled as Ctrl-C is: a ``KeyboardInterrupt``, or, once a
command has asked for it (``stop_requested``), a request to stop.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from campaignkit import __version__
from campaignkit.errors import TargetError, UserError

#: The module of this package that defines each command. A module is imported when one
#: of its commands runs (or help lists them all), so that ``validate`` does not pay for
#: importing the state stores, the targets and the engine.
COMMAND_MODULES = {
    "validate": "check_commands", "explain": "check_commands", "init": "check_commands",
    "validate-files": "hook_commands",
    "render": "email_commands", "fmt": "fmt_commands",
    "test": "engine_commands", "simulate": "engine_commands",
    "graph": "review_commands", "preview": "review_commands",
    "plan": "state_commands", "apply": "state_commands", "refresh": "state_commands",
    "import": "state_commands", "state": "state_commands", "force-unlock": "state_commands",
    "approvals": "approval_commands", "codeowners": "approval_commands",
    "adopt": "adopt_commands", "audit": "adopt_commands",
}


#: Commands that report a failure before they start (``--chdir`` to a missing folder) in their own format:
#: ``validate --format json`` prints a document whatever happens.
REPORTS_OWN_FAILURES = frozenset({"validate"})
_FAILED_START = "campaignkit.failed_start"


class _Group(click.Group):
    """A click group that loads its commands' modules on demand and turns expected failures into one line.

    A ``TargetError`` outside apply (a refused token or a network failure while
    plan or refresh reads the target) is expected too: apply reports its own.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMAND_MODULES and name not in self.commands:
            importlib.import_module(f"campaignkit.cli.{COMMAND_MODULES[name]}")
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with the whole first paragraph of its help, wrapped: click's default cuts it at its
        first full stop or at the terminal's width, mid-sentence ("a check code (e.g.")."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, (command.help or "").split("\n\n")[0].replace("\n", " ").strip()))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with _signals_as_interrupts(), _warnings_as_lines():
            return super().main(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _usage_errors_exit_1():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            with _usage_errors_exit_1():
                return super().invoke(ctx)
        except (UserError, TargetError) as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@contextmanager
def _usage_errors_exit_1() -> Iterator[None]:
    """Click's usage errors (unknown command, missing argument, bad value) keep its message but exit 1.

    The contract is 1 for every user error; 2 means only "there are changes"
    (``plan --detailed-exitcode``), which a script must not mistake a typo for.
    """
    try:
        yield
    except click.UsageError as exc:
        exc.exit_code = 1  # type: ignore[misc]  # click reads the instance's value; a class default to override
        raise


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """The library's warnings (a lock taken over, say) as one line on stderr, as its errors are."""
    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        click.echo(f"Warning: {message}", err=True)

    with warnings.catch_warnings():  # restores the filters and ``showwarning`` on the way out
        warnings.simplefilter("always", UserWarning)  # each run says it again, not once per process
        warnings.showwarning = show
        yield


#: Events the first Ctrl-C or SIGTERM sets instead of raising ``KeyboardInterrupt`` (``stop_requested``).
_stop_requests: list[threading.Event] = []
_STOPPING = (b"\nStopping: the changes under way finish and are recorded, no more are started "
             b"(Ctrl-C again stops at once)\n")


def stop_requested() -> threading.Event:
    """An event that the first Ctrl-C or SIGTERM sets from now until the command ends; a second raises as usual.

    For apply: a ``KeyboardInterrupt`` can strike between any two lines, in the middle of
    writing a change to state or a line to stdout, and end the command with click's bare
    "Aborted!"; an event is looked at only where the apply can stop and still report.
    """
    event = threading.Event()
    _stop_requests.append(event)
    return event


@contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does, with a ``KeyboardInterrupt``: the lock is released on the way out.

    ``timeout``, a cancelled CI job and ``docker stop`` send SIGTERM, whose default
    ends the process at once and leaves the SQLite lock behind. A signal the process
    was started ignoring (``nohup``) stays ignored. Signals can only be handled in the
    main thread; elsewhere (a test runner's thread) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _interrupt) for number in (signal.SIGINT, signal.SIGTERM)
                if signal.getsignal(number) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        _stop_requests.clear()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    waiting = [event for event in _stop_requests if not event.is_set()]
    if not waiting:
        raise KeyboardInterrupt
    for event in waiting:
        event.set()
    os.write(sys.stderr.fileno(), _STOPPING)  # not print: the interrupted code may be printing


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="campaignkit")
@click.option(
    "--chdir",
    "chdir",
    type=click.Path(file_okay=False),
    help="Run as if started in DIR.",
    metavar="DIR",
)
@click.pass_context
def main(ctx: click.Context, chdir: str | None) -> None:
    """Campaigns-as-code: validate, plan and apply marketing automation."""
    if chdir:
        try:
            os.chdir(chdir)
        except OSError as exc:
            failure = UserError(f"cannot change to {chdir}: {exc.strerror}")
            if ctx.invoked_subcommand not in REPORTS_OWN_FAILURES:
                raise failure from None
            ctx.meta[_FAILED_START] = failure


def failed_start() -> UserError | None:
    """The failure of ``--chdir``, for a command in ``REPORTS_OWN_FAILURES`` to report its own way."""
    return click.get_current_context().meta.get(_FAILED_START)


def run() -> None:
    """The console script and ``python -m campaignkit``: ``main``, then an exit that skips freeing,
    one object at a time, what the command built.

    A large workspace is a million objects, and freeing them one by one would delay the end
    of a command that has already printed its report. A command that ends with ``sys.exit`` (as they
    do) is left inside the ``except`` here: its frames, held by the exception, hold all it built
    until the process ends. The commands close their own files and databases; output is flushed
    here. (``CliRunner`` calls ``main``.)
    """
    try:
        main()
    except SystemExit as stop:
        _exit(_exit_status(stop.code))
    _exit(0)


def _exit(status: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader closed the pipe (campaignkit validate | head): it had what it wanted
        pass
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` ends a process with, printing a message as Python does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    run()
