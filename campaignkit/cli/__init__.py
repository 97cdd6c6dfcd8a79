"""The command line: parses arguments, calls the library, prints, sets the exit status.

Nothing here decides anything about campaigns. Each command group lives in a
module of this package and registers itself on ``main``; this module holds the
group, the global ``--chdir`` option and the translation of ``UserError`` into
one line on stderr and exit status 1.
"""

from __future__ import annotations

import os
import sys

import click

from campaignkit import __version__
from campaignkit.errors import UserError
from campaignkit.targets.base import TargetError


class _Group(click.Group):
    """A click group that turns expected failures into one line and exit 1.

    A ``TargetError`` outside apply (a refused token or a network failure while
    plan or refresh reads the target) is expected too: apply reports its own.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (UserError, TargetError) as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="campaignkit")
@click.option(
    "--chdir",
    "chdir",
    type=click.Path(file_okay=False),
    help="Run as if started in DIR.",
    metavar="DIR",
)
def main(chdir: str | None) -> None:
    """Campaigns-as-code: validate, plan and apply marketing automation."""
    if chdir:
        try:
            os.chdir(chdir)
        except OSError as exc:
            raise UserError(f"cannot change to {chdir}: {exc.strerror}") from None


def _register() -> None:
    """Imports the command modules, each of which adds its commands to ``main``."""
    from campaignkit.cli import check_commands  # noqa: F401
    from campaignkit.cli import email_commands  # noqa: F401
    from campaignkit.cli import engine_commands  # noqa: F401
    from campaignkit.cli import review_commands  # noqa: F401
    from campaignkit.cli import state_commands  # noqa: F401


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
