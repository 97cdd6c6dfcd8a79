"""The MJML 5 vocabulary as data: components, their attributes and the children they allow.

Taken from mjml 5.4.1 (``mjml-preset-core``): each component's ``allowedAttributes``
and ``endingTag``, and the dependency table ``mjml-validator`` checks children
against. The checker in ``structure`` reads these tables; nothing here is code,
so moving to a new MJML release means regenerating this file, not editing logic.
"""

from __future__ import annotations

#: Attributes every component accepts (mjml-validator's whitelist).
GLOBAL_ATTRIBUTES = frozenset({"mj-class", "css-class"})

#: Allowed attributes per component.
ATTRIBUTES: dict[str, frozenset[str]] = {
    "mj-accordion": frozenset({
        "border", "container-background-color", "font-family", "icon-align", "icon-height", "icon-position",
        "icon-unwrapped-alt", "icon-unwrapped-url", "icon-width", "icon-wrapped-alt", "icon-wrapped-url",
        "padding", "padding-bottom", "padding-left", "padding-right", "padding-top"
    }),
    "mj-accordion-element": frozenset({
        "background-color", "border", "font-family", "icon-align", "icon-height", "icon-position",
        "icon-unwrapped-alt", "icon-unwrapped-url", "icon-width", "icon-wrapped-alt", "icon-wrapped-url"
    }),
    "mj-accordion-text": frozenset({
        "background-color", "color", "font-family", "font-size", "font-weight", "letter-spacing",
        "line-height", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top"
    }),
    "mj-accordion-title": frozenset({
        "background-color", "color", "font-family", "font-size", "font-weight", "padding", "padding-bottom",
        "padding-left", "padding-right", "padding-top"
    }),
    "mj-attributes": frozenset(),
    "mj-body": frozenset({"background-color", "id", "width"}),
    "mj-breakpoint": frozenset({"width"}),
    "mj-button": frozenset({
        "align", "background-color", "border", "border-bottom", "border-left", "border-radius",
        "border-right", "border-top", "color", "container-background-color", "font-family", "font-size",
        "font-style", "font-weight", "height", "href", "inner-padding", "letter-spacing", "line-height",
        "name", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top", "rel",
        "target", "text-align", "text-decoration", "text-transform", "title", "vertical-align", "width"
    }),
    "mj-carousel": frozenset({
        "align", "border-radius", "container-background-color", "icon-width", "left-icon", "padding",
        "padding-bottom", "padding-left", "padding-right", "padding-top", "right-icon", "tb-border",
        "tb-border-radius", "tb-hover-border-color", "tb-selected-border-color", "tb-width", "thumbnails"
    }),
    "mj-carousel-image": frozenset({
        "alt", "border-radius", "href", "rel", "src", "target", "tb-border", "tb-border-radius",
        "thumbnails-src", "title"
    }),
    "mj-column": frozenset({
        "background-color", "border", "border-bottom", "border-left", "border-radius", "border-right",
        "border-top", "direction", "inner-background-color", "inner-border", "inner-border-bottom",
        "inner-border-left", "inner-border-radius", "inner-border-right", "inner-border-top", "padding",
        "padding-bottom", "padding-left", "padding-right", "padding-top", "vertical-align", "width"
    }),
    "mj-divider": frozenset({
        "align", "border-color", "border-style", "border-width", "container-background-color", "padding",
        "padding-bottom", "padding-left", "padding-right", "padding-top", "width"
    }),
    "mj-font": frozenset({"href", "name"}),
    "mj-group": frozenset({"background-color", "direction", "vertical-align", "width"}),
    "mj-head": frozenset(),
    "mj-hero": frozenset({
        "background-color", "background-height", "background-position", "background-url",
        "background-width", "border-radius", "height", "inner-background-color", "inner-padding",
        "inner-padding-bottom", "inner-padding-left", "inner-padding-right", "inner-padding-top", "mode",
        "padding", "padding-bottom", "padding-left", "padding-right", "padding-top", "vertical-align"
    }),
    "mj-html-attributes": frozenset(),
    "mj-image": frozenset({
        "align", "alt", "border", "border-bottom", "border-left", "border-radius", "border-right",
        "border-top", "container-background-color", "fluid-on-mobile", "font-size", "height", "href",
        "max-height", "name", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top",
        "rel", "sizes", "src", "srcset", "target", "title", "usemap", "width"
    }),
    "mj-navbar": frozenset({
        "align", "base-url", "hamburger", "ico-align", "ico-close", "ico-color", "ico-font-family",
        "ico-font-size", "ico-line-height", "ico-open", "ico-padding", "ico-padding-bottom",
        "ico-padding-left", "ico-padding-right", "ico-padding-top", "ico-text-decoration",
        "ico-text-transform", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top"
    }),
    "mj-navbar-link": frozenset({
        "color", "font-family", "font-size", "font-style", "font-weight", "href", "letter-spacing",
        "line-height", "name", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top",
        "rel", "target", "text-decoration", "text-transform"
    }),
    "mj-preview": frozenset(),
    "mj-raw": frozenset({"position"}),
    "mj-section": frozenset({
        "background-color", "background-position", "background-position-x", "background-position-y",
        "background-repeat", "background-size", "background-url", "border", "border-bottom", "border-left",
        "border-radius", "border-right", "border-top", "direction", "full-width", "gutter", "padding",
        "padding-bottom", "padding-left", "padding-right", "padding-top", "text-align", "text-padding"
    }),
    "mj-social": frozenset({
        "align", "border", "border-radius", "color", "container-background-color", "font-family",
        "font-size", "font-style", "font-weight", "icon-height", "icon-padding", "icon-size",
        "inner-padding", "line-height", "mode", "padding", "padding-bottom", "padding-left",
        "padding-right", "padding-top", "table-layout", "text-decoration", "text-padding", "vertical-align"
    }),
    "mj-social-element": frozenset({
        "align", "alt", "background-color", "border", "border-radius", "color", "font-family", "font-size",
        "font-style", "font-weight", "href", "icon-height", "icon-padding", "icon-position", "icon-size",
        "line-height", "name", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top",
        "rel", "sizes", "src", "srcset", "target", "text-decoration", "text-padding", "title",
        "vertical-align"
    }),
    "mj-spacer": frozenset({
        "border", "border-bottom", "border-left", "border-right", "border-top",
        "container-background-color", "height", "padding", "padding-bottom", "padding-left",
        "padding-right", "padding-top"
    }),
    "mj-style": frozenset({"inline"}),
    "mj-table": frozenset({
        "align", "border", "cellpadding", "cellspacing", "color", "container-background-color",
        "font-family", "font-size", "font-weight", "line-height", "padding", "padding-bottom",
        "padding-left", "padding-right", "padding-top", "role", "table-layout", "vertical-align", "width"
    }),
    "mj-text": frozenset({
        "align", "background-color", "color", "container-background-color", "font-family", "font-size",
        "font-style", "font-weight", "height", "letter-spacing", "line-height", "padding", "padding-bottom",
        "padding-left", "padding-right", "padding-top", "text-decoration", "text-transform",
        "vertical-align"
    }),
    "mj-title": frozenset(),
    "mj-wrapper": frozenset({
        "background-color", "background-position", "background-position-x", "background-position-y",
        "background-repeat", "background-size", "background-url", "border", "border-bottom", "border-left",
        "border-radius", "border-right", "border-top", "direction", "full-width", "gap", "gutter",
        "padding", "padding-bottom", "padding-left", "padding-right", "padding-top", "text-align",
        "text-padding"
    }),
    # Handled by the parser rather than registered as components, so listed here by hand.
    "mjml": frozenset({"owa", "lang", "dir"}),
    "mj-include": frozenset({"path", "type", "css-inline"}),
    "mj-selector": frozenset({"path"}),
    "mj-html-attribute": frozenset({"name"}),
}

#: Tags that are not components but are valid where their parent allows them; their
#: attributes are free-form (``mj-all`` and ``mj-class`` carry other components' attributes).
COMPONENTLESS = frozenset({"mj-all", "mj-class", "mj-selector", "mj-html-attribute"})

#: Children each element allows; ``None`` means any tag (``mj-attributes`` holds defaults for all).
CHILDREN: dict[str, frozenset[str] | None] = {
    "mj-accordion": frozenset({"mj-accordion-element", "mj-raw"}),
    "mj-accordion-element": frozenset({"mj-accordion-text", "mj-accordion-title", "mj-raw"}),
    "mj-accordion-text": frozenset(),
    "mj-accordion-title": frozenset(),
    "mj-attributes": None,
    "mj-body": frozenset({"mj-hero", "mj-raw", "mj-section", "mj-wrapper"}),
    "mj-button": frozenset(),
    "mj-carousel": frozenset({"mj-carousel-image"}),
    "mj-carousel-image": frozenset(),
    "mj-column": frozenset({
        "mj-accordion", "mj-button", "mj-carousel", "mj-divider", "mj-image", "mj-navbar", "mj-raw",
        "mj-social", "mj-spacer", "mj-table", "mj-text"
    }),
    "mj-divider": frozenset(),
    "mj-group": frozenset({"mj-column", "mj-raw"}),
    "mj-head": frozenset({
        "mj-attributes", "mj-breakpoint", "mj-font", "mj-html-attributes", "mj-preview", "mj-raw",
        "mj-style", "mj-title"
    }),
    "mj-hero": frozenset({
        "mj-accordion", "mj-button", "mj-carousel", "mj-divider", "mj-image", "mj-navbar", "mj-raw",
        "mj-social", "mj-spacer", "mj-table", "mj-text"
    }),
    "mj-html-attribute": frozenset(),
    "mj-html-attributes": frozenset({"mj-selector"}),
    "mj-image": frozenset(),
    "mj-navbar": frozenset({"mj-navbar-link", "mj-raw"}),
    "mj-raw": frozenset(),
    "mj-section": frozenset({"mj-column", "mj-group", "mj-raw"}),
    "mj-selector": frozenset({"mj-html-attribute"}),
    "mj-social": frozenset({"mj-raw", "mj-social-element"}),
    "mj-social-element": frozenset(),
    "mj-spacer": frozenset(),
    "mj-table": frozenset(),
    "mj-text": frozenset(),
    "mj-wrapper": frozenset({"mj-hero", "mj-raw", "mj-section"}),
    "mjml": frozenset({"mj-body", "mj-head", "mj-raw"}),
}

#: Components whose content is not MJML but raw text (mjml calls them ending tags).
ENDING_TAGS = frozenset({
    "mj-accordion-text", "mj-accordion-title", "mj-breakpoint", "mj-button", "mj-carousel-image",
    "mj-navbar-link", "mj-preview", "mj-raw", "mj-social-element", "mj-style", "mj-table", "mj-text",
    "mj-title",
})

#: Ending tags whose content is plain text or CSS rather than HTML: no links or images inside.
TEXT_CONTENT_TAGS = frozenset({"mj-breakpoint", "mj-preview", "mj-style", "mj-title"})

#: Every tag the checker knows.
KNOWN_TAGS = frozenset(ATTRIBUTES) | COMPONENTLESS
