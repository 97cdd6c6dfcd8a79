"""Codes for problems found while loading files and reading their shape.

These are reported by ``load``, ``workspace`` and ``checks.schema`` rather than
by registered functions; they are documented here so that ``explain`` knows them.
"""

from campaignkit.checks import document

document("CK000", """validate could not check the workspace.

    What it does: stands for every problem of a `validate` that could not finish: no workspace
    around the current folder, a `--chdir` folder that does not exist, an option `validate` does
    not take, or a failure of campaignkit's own (a bug: its traceback is printed on stderr). It is
    the report's one diagnostic, so that `--format json`, `github` and `sarif` still print a
    document a machine can read, and the command exits 1.
    Use instead: run it in a workspace (or with `--chdir`); report an internal error with its traceback.
    """)
document("CK001", """The file is not valid YAML.

    What it does: reports YAML syntax errors at the line and column where the parser gave up (a
    line indented with a tab at the tab: "tabs cannot indent YAML; use spaces"), and values that
    cannot be read: an unknown tag, a tag on a value it does not fit (`!!seq` on a
    mapping, `!!int abc`), a tag that makes what campaign files cannot hold (`!!binary`, `!!set`),
    and a number longer than 4,300 digits.
    Why is this bad? Nothing in the file (or the document) can be read until it parses.
    Example: `subject: [Welcome` (an unclosed bracket).
    Use instead: `subject: "[Welcome]"` — quote values that start with YAML punctuation.
    """)
document("CK002", """A mapping has the same key twice.

    What it does: reports the second occurrence of a key in one mapping.
    Why is this bad? YAML parsers silently keep the last value, so half of what you wrote is ignored.
    Example: two `subject:` lines in one email.
    Use instead: one key, one value.
    """)
document("CK003", """The file is larger than 5 MB.

    What it does: refuses to read resource files over the size limit.
    Why is this bad? No campaign needs such a file; it is usually generated data or a mistake,
    and reading it would slow every command down.
    Use instead: split resources into several files, one per program or email group.
    """)
document("CK004", """The document nests too deeply or its aliases expand too far.

    What it does: refuses recursive aliases, alias bombs (aliases that expand exponentially)
    and nesting deeper than 64 levels.
    Why is this bad? Such documents exhaust memory or crash YAML tools; campaign files never need them.
    Use instead: write values out, or use a few plain anchors (`<<: *defaults`).
    """)
document("CK005", """The file is not UTF-8.

    What it does: reports the first byte that is not valid UTF-8, with its line and column.
    Why is this bad? Names and subjects would be garbled in every email and on the target.
    Example: a file saved as Latin-1 with `Café` in a subject.
    Use instead: save the file as UTF-8.
    """)
document("CK006", """A document is not a resource.

    What it does: reports documents that are not mappings or have no `kind`.
    Why is this bad? Every document in a resource file must declare one resource.
    Use instead: `kind: email`, `name: ...` and the kind's fields.
    """)
document("CK007", """Unknown resource kind.

    What it does: reports a `kind` that campaignkit does not know, with the closest known kind.
    Example: `kind: emial`.
    Use instead: `kind: email`.
    """)
document("CK008", """campaignkit.yaml is malformed.

    What it does: reports a settings file that is not a single mapping, a
    `default_environment` that names no environment (or is missing while there are several),
    and an `exclude` pattern that is not a `.gitignore` pattern (`!` alone, a trailing `\\`).
    Why is this bad? Commands run without `--env` use the default: a mistyped one would leave
    the tool to guess, and the guess could be production.
    Use instead: one mapping with `workspace`, `default_environment` and `environments`.
    """)
document("CK009", """A file of the workspace is refused unread.

    What it does: refuses a YAML file of the workspace (a resource file, `campaignkit.yaml`, a test
    file) that is a symbolic link to outside the workspace (or in a folder that is one), a loop of
    links, a named pipe, a device or a socket, or a hard link (a file with more than one name).
    Why is this bad? A pull request can carry a link to `/etc/passwd` or to a file of credentials,
    and the lines of a file that is read are printed under its diagnostics; a named pipe or a
    device would make every command wait forever. A hard link's other names cannot be found,
    and may be outside the workspace, so such a file is refused too (git never makes one).
    Example: `lists.yaml -> /home/me/.aws/credentials`; `mkfifo programs/x.yaml`.
    Use instead: a regular file in the workspace (a copy, not a link, of a file from elsewhere).
    """)
document("CK010", """More problems in one file than are shown.

    What it does: shows the first 100 problems of a file and, in place of the rest, this one,
    which counts them (an error if any of them is one). A template's markup is checked up to its
    first 100 problems (and 100 levels of nesting), where checking it stops: the count is then of
    the problems found so far.
    Why is this bad? One broken file, such as a partial with thousands of unclosed tags, would
    otherwise bury every other problem of the workspace and take long to print.
    Use instead: fix the problems shown (often one mistake causes them all) and validate again.
    """)
document("CK100", """A value breaks a rule of its kind's schema.

    What it does: reports schema violations that have no more specific code (numbers out of
    range, lists too short, and so on), with the schema's own message.
    Use instead: see `schemas/KIND.json` for what the field accepts.
    """)
document("CK101", """Unknown key.

    What it does: reports keys that the kind does not have, with the closest known key.
    Why is this bad? A misspelt key is silently ignored by most tools, so the setting you meant
    never takes effect.
    Example: `subjct: Welcome` in an email.
    Use instead: `subject: Welcome`.
    """)
document("CK102", """A required key is missing.

    What it does: reports a resource or nested mapping without a key it must have.
    Example: an email without `template`.
    Use instead: add the key; `schemas/KIND.json` lists what is required.
    """)
document("CK103", """A value has the wrong type.

    What it does: reports a value that is not the type the schema expects.
    Example: `steps:` given as a list instead of a mapping of step names.
    Use instead: the type named in the message.
    """)
document("CK104", """A value is not one of the allowed values.

    What it does: reports values outside an enumeration, with the closest allowed one.
    Example: `type: dynamc` on a list.
    Use instead: `type: dynamic`.
    """)
document("CK105", """A value does not have the required form.

    What it does: reports values that do not match the schema's pattern, such as a reference
    that is not an address `KIND.NAME`, a duration that is not like `3d`, or a name with
    capitals or spaces.
    Example: `send_email: welcome-email`.
    Use instead: `send_email: email.2026-email-welcome-email`.
    """)
