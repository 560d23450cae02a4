"""Put sanitised HTML (from our Markdown renderer) into a QTI 2.1 item as the XHTML subset QTI allows."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

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
_ENUMS = {"align": {"left", "center", "right", "justify", "char"}, "scope": {"row", "col", "rowgroup", "colgroup"}}
_INTEGERS = {"colspan", "rowspan"}


def qti(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def append_html(parent: etree._Element, html: str, *, inline: bool = False) -> None:
    """Append the HTML fragment's content to `parent`, converted to QTI's XHTML.

    Rules: allowed elements keep their names and allowed attributes (href, table cell spans, alignment,
    scope, class); del/s/u/ins become spans with a class; other elements give up their tag and keep their
    content. Loose text in a blockquote is wrapped in a p, and rows outside a tbody get one, since QTI
    (like XHTML strict) does not allow either. With `inline`, a lone paragraph is unwrapped, for prompts
    and choice labels.
    """
    if not html.strip():
        return
    source = lxml_html.fragment_fromstring(html, create_parent="div")
    if inline and len(source) == 1 and source[0].tag == "p" and not (source.text or "").strip():
        source = source[0]
    _copy_content(source, parent)


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
                element.set(name, value)
    else:
        _copy_content(source, target)
        return
    _copy_content(source, element)
    if tag == "blockquote":
        _wrap_loose_content(element, "p")
    elif tag == "table":
        _ensure_tbody(element)


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
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def _wrap_loose_content(element: etree._Element, wrapper: str) -> None:
    """Move text and inline children sitting directly in an element-only container into `wrapper`s."""
    block_tags = {qti(t) for t in ("p", "div", "ul", "ol", "dl", "pre", "blockquote", "table", "hr", "address")}
    block_tags |= {qti(f"h{n}") for n in range(1, 7)}
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
    if text and text.strip():
        holder().text = text
    for child in children:
        tail, child.tail = child.tail, None
        if child.tag in block_tags:
            current = None
            element.append(child)
        else:
            holder().append(child)
        if tail and tail.strip():
            _append_text(holder(), tail)


def _ensure_tbody(table: etree._Element) -> None:
    """A QTI table needs at least one tbody, and rows only inside thead, tfoot or tbody."""
    loose = [row for row in table if row.tag == qti("tr")]
    if loose:
        body = etree.SubElement(table, qti("tbody"))
        for row in loose:
            body.append(row)
    if table.find(qti("tbody")) is None:
        head = table.find(qti("thead"))
        if head is not None:
            head.tag = qti("tbody")  # a header-only table: its rows become the body
