"""Test-file checks: campaign tests (``tests/*.yaml``) are validated like the rest.

The checking itself lives with the tests (``campaign_tests.cases``), which
``campaignkit test`` also uses; this module makes ``validate`` report the same
problems and ``explain`` know their codes.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    Use instead: see `campaignkit explain CK801` to `CK807`.
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
document("CK803", """A campaign test gives or expects a value for a field that is not declared, or that does not fit it.

    What it does: checks the keys of `prospect` and `expect.fields` against the workspace's fields,
    and each of their values against its field's type (and an enum's values).
    Why is this bad? A prospect value would be ignored, and rules on the field the test meant would
    not see it; a value of the wrong type tests a prospect that cannot exist, and an expected value
    of the wrong type (the text "1200" for a number) can never match.
    Example: `prospect: {job_titel: CMO}`, `prospect: {industry: Bananas}`, `expect: {fields: {employees: "1200"}}`.
    Use instead: `prospect: {job_title: CMO}`, `prospect: {industry: Retail}`, `expect: {fields: {employees: 1200}}`.
    """)
document("CK804", """A campaign test has a time or time zone that cannot be read.

    What it does: checks `start`, event `at` times (like `2d 10:00`) and time zones (IANA names), and
    that a clock time names one moment: not one the clocks skip when daylight saving time starts, nor
    one they show twice when it ends.
    Why is this bad? The test's events would happen at the wrong time or not at all.
    Example: `timezone: Tokyo`; `start: "2026-03-08 02:30"` in America/New_York (the clocks go from 02:00 to 03:00).
    Use instead: `timezone: Asia/Tokyo`; `start: "2026-03-08 03:30"`.
    """)
document("CK805", """A campaign test starts the prospect on a dynamic list.

    What it does: warns when a test puts its prospect on a dynamic list directly.
    Why is this bad? A dynamic list's rules decide who is on it; the prospect may fall off it at
    the next evaluation, which the test probably did not mean.
    Use instead: give the prospect the field values the list's rules match.
    """)
document("CK806", """A campaign test checks nothing.

    What it does: reports a test without `expect`, and an expectation that gives only a time (`at`).
    Why is this bad? Such a test passes whatever the program does, so a green run proves nothing.
    Example: a test with `name` and `program` only; `expect: [{at: 3d}]`.
    Use instead: `expect: {status: ended}`, `expect: [{at: 3d, emails: [email.X]}]`.
    """)
document("CK807", """Two campaign tests have the same name.

    What it does: warns when a test's `name` is the name of an earlier test, in any test file,
    ignoring case (as `campaignkit test PATTERN` does).
    Why is this bad? A pattern cannot select one of them without the other, and a failure is
    harder to trace to its test.
    Use instead: a name of its own for each test, saying what it shows.
    """)
