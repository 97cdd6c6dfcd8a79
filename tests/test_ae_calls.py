"""Calls are counted: the plan says how many Account Engagement API calls apply will make, and refresh
reads whole collections a page at a time, never one object at a time."""

from __future__ import annotations

import json
import re

from tests.ae_workspace import run


def said(out: str) -> tuple[int, int, int]:
    """(total, writes, reads) from the plan's line about API calls."""
    found = re.search(r"Apply will make (\d+) API calls to account-engagement \((\d+) to write, (\d+) to read\)\.",
                      out)
    assert found, out
    total, writes, reads = (int(n) for n in found.groups())
    assert total == writes + reads
    return total, writes, reads


def apply_saved(workspace, server) -> int:
    """Plans into a file, applies it in a run of its own, and returns the calls the plan said it would make."""
    code, out = run("plan", "--out", str(workspace / "next.ckplan"))
    assert code == 0, out
    total, _, _ = said(out)
    server.unit.requests.clear()
    code, out = run("apply", str(workspace / "next.ckplan"), "--auto-approve")
    assert code == 0, out
    return total


def test_a_saved_plan_says_how_many_calls_its_apply_makes(workspace, server):
    server.unit.page_size = 1000  # one page each: a first plan reads nothing to know better
    assert apply_saved(workspace, server) == len(server.unit.requests)
    # One write per object and per tag, a few reads: 32 objects (the welcome email in three languages) and 2
    # variations, every declared tag added and made.
    writes = [r for r in server.unit.requests if r.method != "GET"]
    assert len(writes) == 34 + sum(1 for r in writes if r.parts[2] == "addTag") + len(server.unit.objects("tags"))


def test_changes_after_the_first_apply_are_counted_page_by_page(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    lists, emails = workspace / "lists.yaml", workspace / "emails.yaml"
    lists.write_text(lists.read_text().replace("tags: [events]", "tags: [trade-shows]", 1))
    emails.write_text(emails.read_text().replace("preheader: ", "preheader: New. "))
    subject = emails.read_text().replace("subject: Your Acme trial is ready", "subject: Your trial is ready")
    emails.write_text(subject)
    server.unit.tag("email-templates", "2026-web-trial-welcome-email", "added-by-hand")
    assert apply_saved(workspace, server) == len(server.unit.requests)  # folders and tags in pages of 4 here


def test_the_json_plan_carries_the_count_and_a_plan_with_nothing_to_apply_says_none(workspace, server):
    code, out = run("plan", "--format", "json")
    document = json.loads(out)
    assert document["summary"]["api_calls"] > 26
    assert run("apply", "--auto-approve")[0] == 0
    code, out = run("plan")
    assert out.startswith("No changes.") and "API call" not in out, out


def test_refresh_reads_whole_collections_never_one_object_at_a_time(workspace, server):
    assert run("apply", "--auto-approve")[0] == 0
    server.unit.page_size = 1000
    server.unit.requests.clear()
    code, out = run("refresh")
    assert code == 0, out
    reads = server.unit.requests
    assert all(r.method == "GET" and r.parts[1] is None for r in reads), [r.path for r in reads]
    # The check, each kind (lists, custom fields, emails, forms, dynamic content), the tags each kind carries, the
    # tag names, folders, campaigns, layout templates, programs, dynamic content's variations.
    assert len(reads) == 1 + 5 + 5 + 1 + 3 + 1 + 1
