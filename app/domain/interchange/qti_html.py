"""Put sanitised HTML (from our Markdown renderer) into a QTI 2.1 item as the XHTML subset QTI allows."""

from __future__ import annotations

import re

from .lxml_on_use import etree
from .lxml_on_use import html as lxml_html

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"

# QTI 2.1 keeps these XHTML elements under their own names.
_KEPT = {
    "a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd",
    "li", "ol", "p", "pre", "q", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "tt", "ul", "var",
}  # fmt: skip
# Elements our renderer allows but QTI does not: a span with a class keeps the meaning for a style sheet.
_RENAMED = {"del": "strikethrough", "s": "strikethrough", "u": "underline", "ins": "inserted"}
_ATTRIBUTES = {
    "a": {"href"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
}
_ENUMS = {
    "align": {"left", "center", "right", "justify", "char"},
    "scope": {"row", "col", "rowgroup", "colgroup"},
}
_INTEGERS = {"colspan", "rowspan"}


# XML 1.0 allows no other control characters; Python-Markdown can leak its \x02/\x03 placeholders.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def qti(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def append_html(parent: etree._Element, html: str, *, inline: bool = False) -> None:
    """Append the HTML fragment's content to `parent` (a flow container: div, prompt, simpleChoice,
    modalFeedback), converted to QTI's XHTML.

    Rules: allowed elements keep their names and allowed attributes (href, table cell spans, alignment,
    scope, class); del/s/u/ins become spans with a class; other elements give up their tag and keep their
    content. Then the content models QTI (like XHTML strict) enforces are repaired, see `_repair`. With
    `inline`, a lone paragraph is unwrapped, for prompts and choice labels.
    """
    if not html.strip():
        return
    source = lxml_html.fragment_fromstring(html, create_parent="div")
    lone_paragraph = len(source) == 1 and source[0].tag == "p"
    if inline and lone_paragraph and not _has_text(source.text) and not _has_text(source[0].tail):
        source = source[0]
    start = len(parent)
    _copy_content(source, parent)
    for element in parent[start:]:
        _repair(element)


def _copy_content(source: etree._Element, target: etree._Element) -> None:
    _append_text(target, source.text)
    for child in source:
        if isinstance(child.tag, str):
            _copy_element(child, target)
        _append_text(target, child.tail)


def _copy_element(source: etree._Element, target: etree._Element) -> None:
    tag = source.tag.lower()
    if tag in _RENAMED:
        element = etree.SubElement(target, qti("span"), {"class": _RENAMED[tag]})
    elif tag in _KEPT:
        element = etree.SubElement(target, qti(tag))
        for name, value in source.attrib.items():
            if _allowed(tag, name, value):
                element.set(name, xml_text(value))
    else:
        _copy_content(source, target)
        return
    _copy_content(source, element)


def _allowed(tag: str, name: str, value: str) -> bool:
    if name == "class":
        return bool(value.strip())
    if name not in _ATTRIBUTES.get(tag, set()):
        return False
    if name in _ENUMS:
        return value in _ENUMS[name]
    if name in _INTEGERS:
        return value.isdigit()
    return True


def _append_text(target: etree._Element, text: str | None) -> None:
    text = xml_text(text or "")
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _repair(element: etree._Element) -> None:
    """Make a converted subtree fit QTI's content models, bottom-up, keeping every piece of text.

    Authors may write raw HTML that browsers forgive but QTI's schema does not: a block inside an inline
    element (`<em><p>`) is reduced to its text; list items, table rows and cells outside their
    containers lose their tag; loose text in a list, definition list, row or quotation is wrapped;
    a table gets its parts in schema order with at least one tbody; a link inside a link, and images or
    size changes inside `pre`, give up their tags.
    """
    for child in list(element):
        _repair(child)
    local = _local(element)
    parent = element.getparent()
    parent_local = _local(parent) if parent is not None else ""
    if parent is not None and _PARENTS.get(local, {parent_local}).isdisjoint({parent_local}):
        for moved in _unwrap(element):
            _repair(moved)  # its children now sit in a new parent: check them there
        return
    if local in _INLINE_CONTENT:
        for child in list(element):
            if _local(child) not in _INLINE:
                _to_text(child)
    if local == "pre":
        for child in list(element.iter(*(qti(t) for t in ("img", "object", "big", "small", "sub", "sup")))):
            _unwrap(child)
    if local == "a":
        for child in list(element.iter(qti("a"))):
            if child is not element:
                _unwrap(child)
    if local in _WRAP_LOOSE:
        _wrap_loose_content(element, *_WRAP_LOOSE[local])
    if local == "table":
        _order_table(element)


# Elements that may only sit in certain parents; elsewhere they give up their tag.
_PARENTS = {
    "li": {"ul", "ol"},
    "dt": {"dl"},
    "dd": {"dl"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "caption": {"table"},
    "col": {"table", "colgroup"},
    "colgroup": {"table"},
}
_INLINE = {
    "a", "abbr", "acronym", "b", "big", "br", "cite", "code", "dfn", "em", "i", "img", "kbd", "q", "samp",
    "small", "span", "strong", "sub", "sup", "tt", "var",
}  # fmt: skip
# Elements whose content is inline only.
_INLINE_CONTENT = _INLINE | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "caption", "dt"}
# Element-only containers: (wrapper for loose content, children that need no wrapper).
_WRAP_LOOSE = {
    "ul": ("li", {"li"}),
    "ol": ("li", {"li"}),
    "dl": ("dd", {"dt", "dd"}),
    "tr": ("td", {"td", "th"}),
    "thead": ("tr", {"tr"}),
    "tbody": ("tr", {"tr"}),
    "tfoot": ("tr", {"tr"}),
    "blockquote": ("p", {"p", "div", "ul", "ol", "dl", "pre", "blockquote", "table", "hr", "address",
                         "h1", "h2", "h3", "h4", "h5", "h6"}),
}  # fmt: skip
_SEPARATED = {"li", "dt", "dd", "tr", "td", "th", "caption"}
_TABLE_ORDER = {"caption": 0, "col": 1, "colgroup": 2, "thead": 3, "tfoot": 4, "tbody": 5, "tr": 5}


def _unwrap(element: etree._Element) -> list[etree._Element]:
    """Replace an element by its content (text and children), in place; return the children moved."""
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    _append_text_before(parent, index, element.text)
    children = list(element)
    # Cells and items were separated by layout; without their tags a space keeps their words apart.
    tail = (" " if _local(element) in _SEPARATED else "") + (element.tail or "")
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    _append_text_before(parent, index + len(children), tail)
    return children


def _to_text(element: etree._Element) -> None:
    """Replace an element by its text only (for blocks inside inline content)."""
    parent = element.getparent()
    assert parent is not None
    text = " ".join(element.itertext()) + (element.tail or "")
    index = parent.index(element)
    parent.remove(element)
    _append_text_before(parent, index, text)


def _append_text_before(parent: etree._Element, index: int, text: str | None) -> None:
    """Add text where child `index` is (or would be): the tail of the child before it, or the parent's text."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text


def _wrap_loose_content(element: etree._Element, wrapper: str, fits: set[str]) -> None:
    """Move text and children that may not sit directly in `element` into `wrapper`s."""
    children = list(element)
    text = element.text
    element.text = None
    current: etree._Element | None = None

    def holder() -> etree._Element:
        nonlocal current
        if current is None:
            current = etree.Element(qti(wrapper))
            element.append(current)
        return current

    for child in children:
        element.remove(child)
    if _has_text(text):
        holder().text = text
    for child in children:
        tail, child.tail = child.tail, None
        if _local(child) in fits:
            current = None
            element.append(child)
            child.tail = None if _has_text(tail) else tail
        else:
            holder().append(child)
        if _has_text(tail):
            _append_text(holder(), tail)


def _has_text(text: str | None) -> bool:
    """Text that is more than XML whitespace (a no-break space is text to a schema, not to str.strip)."""
    return bool(text and text.strip(" \t\r\n"))


def _order_table(table: etree._Element) -> None:
    """Parts in schema order; rows outside a row group go into a tbody, and there is at least one tbody."""
    parts = sorted(table, key=lambda child: _TABLE_ORDER.get(_local(child), 6))
    for child in list(table):
        table.remove(child)
    body: etree._Element | None = None
    for child in parts:
        if _local(child) == "tr":
            if body is None:
                body = etree.SubElement(table, qti("tbody"))
            body.append(child)
        else:
            table.append(child)
    if table.find(qti("tbody")) is None:
        head = table.find(qti("thead"))
        if head is not None:
            head.tag = qti("tbody")  # a header-only table: its rows become the body
        else:
            etree.SubElement(etree.SubElement(table, qti("tbody")), qti("tr")).append(
                etree.Element(qti("td"))
            )
