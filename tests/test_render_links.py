"""What makes a link unfit to send."""

from __future__ import annotations

import pytest

from campaignkit.emails.rules.links import LinkVerdict, judge_link


@pytest.mark.parametrize("url, verdict", [
    ("https://acme.example/offer?x=1", LinkVerdict.OK),
    ("mailto:hello@acme.example", LinkVerdict.OK),
    ("tel:+81-3-1234-5678", LinkVerdict.OK),
    ("http://acme.example/offer", LinkVerdict.NOT_HTTPS),
    ("/offer", LinkVerdict.NOT_HTTPS),
    ("www.acme.example", LinkVerdict.NOT_HTTPS),
    ("https://", LinkVerdict.NOT_HTTPS),
    ("https://[::1", LinkVerdict.NOT_HTTPS),
    ("", LinkVerdict.EMPTY),
    ("   ", LinkVerdict.EMPTY),
    ("javascript:alert(1)", LinkVerdict.SCRIPT),
    ("JavaScript:alert(1)", LinkVerdict.SCRIPT),
    ("data:text/html,hi", LinkVerdict.SCRIPT),
    ("http://localhost:8000/x", LinkVerdict.PRIVATE),
    ("https://app.localhost/x", LinkVerdict.PRIVATE),
    ("https://127.0.0.1/x", LinkVerdict.PRIVATE),
    ("https://10.1.2.3/x", LinkVerdict.PRIVATE),
    ("https://[::1]/x", LinkVerdict.PRIVATE),
    ("https://0.0.0.0/x", LinkVerdict.PRIVATE),
])
def test_judge_link(url, verdict):
    assert judge_link(url) is verdict
