"""Names proposed for adopted objects: they follow the convention and say what the object is."""

from __future__ import annotations

from pathlib import Path

import yaml

from campaignkit.checks.naming import kind_patterns
from campaignkit.plan.adopt_names import moved_from, needs_name, propose

NAMING = Path(__file__).resolve().parent.parent / "campaigns" / "naming.yaml"
CONVENTION = next(yaml.safe_load_all(NAMING.read_text()))
RULES = kind_patterns(CONVENTION)


def proposed(kind: str, name: str, attributes: dict | None = None, created: str = "2024-05-01T09:00:00Z",
             taken: frozenset[str] = frozenset()) -> str:
    return propose(kind, name, "42", attributes or {}, created, RULES.get(kind), taken)


def test_a_year_in_the_name_wins_over_the_creation_year_and_an_enum_word_is_found_in_the_folder():
    assert proposed("list", "Attendees 2023", {"folder": "Lists/Webinar"}) == "2023-webinar-attendees-list"
    assert proposed("email", "May newsletter") == "2024-all-may-newsletter-email"
    assert proposed("campaign", "Expand: customer advocacy") == "2024-expand-customer-advocacy-campaign"


def test_a_name_with_nothing_left_in_ascii_is_named_by_its_id_and_taken_names_get_a_number():
    assert proposed("list", "展示会リスト") == "2024-all-id-42-list"
    assert proposed("list", "Attendees 2023", taken=frozenset({"2023-all-attendees-list"})) == \
        "2023-all-attendees-2-list"


def test_without_a_creation_date_a_year_token_that_allows_it_is_evergreen():
    assert proposed("program", "Nurture old leads", created="") == "evergreen-nurture-old-leads-program"


def test_every_proposal_follows_the_convention():
    for kind in ("list", "email", "program", "form", "campaign"):
        for name in ("Webinar attendees 2023", "展示会リスト", "A", "---", "CamelCaseName", "Ünïcödé 2025q3"):
            assert RULES[kind].fits(proposed(kind, name)), (kind, name)


def test_kinds_without_a_pattern_get_a_plain_identifier_and_fitting_names_are_kept():
    assert needs_name("field", "Product_Interest__c", None) and proposed("field", "Product_Interest__c") == \
        "product_interest_c"
    assert not needs_name("field", "job_title", None)
    assert not needs_name("list", "2026-event-acme-conf-list", RULES["list"])
    assert needs_name("list", "2026-evnt-acme-conf-list", RULES["list"])


def test_the_address_a_renamed_object_is_recorded_under_is_its_name_where_that_makes_one():
    assert moved_from("list", "Attendees2023", "42") == "list.Attendees2023"
    assert moved_from("list", "Webinar attendees 2023", "42") == "list.webinar-attendees-2023"
    assert moved_from("list", "展示会リスト", "42") == "list.id-42"
