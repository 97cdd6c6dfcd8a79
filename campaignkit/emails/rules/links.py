"""Links and images: which attributes hold them, and what makes a link unfit to send.

An email's links are clicked by people on their own devices, so a link must be
an absolute ``https`` URL that reaches a public host: ``http`` is sent in the
clear (and flagged by mail filters), and a relative, empty, ``javascript:`` or
localhost link is broken for every recipient. ``mailto:``, ``tel:`` and
``sms:`` links are fine. This module only judges URLs; finding them in
templates is ``analysis``'s work.
"""

from __future__ import annotations

import ipaddress
from enum import Enum
from functools import lru_cache
from urllib.parse import urlsplit

#: Attributes that hold a URL a recipient's client opens, per tag (MJML components, and the HTML
#: elements ``markup.KEPT_HTML`` keeps).
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "img": ("src",),
    "mj-button": ("href",),
    "mj-image": ("href", "src"),
    "mj-carousel-image": ("href", "src"),
    "mj-social-element": ("href", "src"),
    "mj-navbar-link": ("href",),
}
#: Tags that show an image and so need ``alt``.
IMAGE_TAGS = frozenset({"img", "mj-image", "mj-carousel-image"})
_CONTACT_SCHEMES = frozenset({"mailto", "tel", "sms"})
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})


class LinkVerdict(Enum):
    OK = "ok"
    NOT_HTTPS = "not an absolute https URL"
    EMPTY = "empty"
    SCRIPT = "a script or data URL"
    PRIVATE = "a local or private address no recipient can reach"


@lru_cache(maxsize=8192)  # the same few hosts and paths recur across every email of a workspace
def judge_link(url: str) -> LinkVerdict:
    """What is wrong with ``url`` as a link in an email, if anything."""
    url = url.strip()
    if not url:
        return LinkVerdict.EMPTY
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed authority, such as an unclosed IPv6 bracket
        return LinkVerdict.NOT_HTTPS
    scheme = parts.scheme.lower()
    if scheme in _CONTACT_SCHEMES:
        return LinkVerdict.OK
    if scheme in _SCRIPT_SCHEMES:
        return LinkVerdict.SCRIPT
    if host and _is_private(host):
        return LinkVerdict.PRIVATE
    if scheme != "https" or not host:
        return LinkVerdict.NOT_HTTPS
    return LinkVerdict.OK


@lru_cache(maxsize=1024)  # a workspace links to a few hosts, and most are not addresses (a ValueError each)
def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified or address.is_link_local
