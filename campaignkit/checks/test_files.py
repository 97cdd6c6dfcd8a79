"""Test-file checks: campaign tests (``tests/*.yaml``) are validated like the rest.

The checking itself lives with the tests (``campaign_tests.cases``), which
``campaignkit test`` also uses; this module makes ``validate`` report the same
problems and ``explain`` know their codes.
"""

from __future__ import annotations

from typing import Iterator

from campaignkit.campaign_tests.cases import load_tests
from campaignkit.checks import Scope, check, document
from campaignkit.diagnostics import Diagnostic


@check("CK800")
def campaign_test_files(scope: Scope) -> Iterator[Diagnostic]:
    """Checks every campaign test file (CK801 and up).

    What it does: loads `tests/*.yaml`, checks each test against the test schema and the
    workspace, and reports each problem under its own code.
    Why is this bad? A test that names a step or email that does not exist cannot say anything
    about the program it is meant to protect.
    Use instead: see `campaignkit explain CK801` to `CK805`.
    """
    yield from load_tests(scope.workspace)[1]


document("CK801", """A campaign test names a resource that does not exist.

    What it does: checks every address in a test (program, form, emails, lists) against the workspace.
    Why is this bad? The test could never pass, or would pass for the wrong reason.
    Example: `program: program.2026-nurture-welcom-program`.
    Use instead: the address as declared; the message suggests the closest one.
    """)
document("CK802", """A campaign test's expected path names a step the program does not have.

    What it does: checks `expect.path` against the program's step names.
    Why is this bad? The expected path can never be taken, so the test fails for a typo.
    Example: `path: [welcome, opend]`.
    Use instead: `path: [welcome, opened]`.
    """)
document("CK803", """A campaign test gives a prospect value for a field that is not declared, or that does not fit it.

    What it does: checks the keys of `prospect` and `expect.fields` against the workspace's fields,
    and each prospect value against its field's type (and an enum's values).
    Why is this bad? The value would be ignored, and rules on the field the test meant would not see
    it; a value of the wrong type tests a prospect that cannot exist.
    Example: `prospect: {job_titel: CMO}`, `prospect: {industry: Bananas}`.
    Use instead: `prospect: {job_title: CMO}`, `prospect: {industry: Retail}`.
    """)
document("CK804", """A campaign test has a time or time zone that cannot be read.

    What it does: checks `start`, event `at` times (like `2d 10:00`) and time zones (IANA names).
    Why is this bad? The test's events would happen at the wrong time or not at all.
    Example: `timezone: Tokyo`.
    Use instead: `timezone: Asia/Tokyo`.
    """)
document("CK805", """A campaign test starts the prospect on a dynamic list.

    What it does: warns when a test puts its prospect on a dynamic list directly.
    Why is this bad? A dynamic list's rules decide who is on it; the prospect may fall off it at
    the next evaluation, which the test probably did not mean.
    Use instead: give the prospect the field values the list's rules match.
    """)
