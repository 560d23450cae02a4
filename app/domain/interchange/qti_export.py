"""Export our questions as IMS QTI 2.1 assessment items, and a content package of them."""

from __future__ import annotations

from collections.abc import Iterable

from ..markdown_render import MarkdownRenderer
from ..questions import QuestionSpec, QuestionType
from .lxml_on_use import etree
from .lxml_on_use import html as lxml_html
from .numbers import plain_number
from .qti_html import QTI_NS, append_html, qti, xml_text

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA_LOCATION = f"{QTI_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_SCHEMA_LOCATION = f"{CP_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
TOOL_NAME = "Order Desk Academy"
RESPONSE, SCORE, MAXSCORE, FEEDBACK, SOLUTION = "RESPONSE", "SCORE", "MAXSCORE", "FEEDBACK", "SOLUTION"


def export_qti_item(question: QuestionSpec, renderer: MarkdownRenderer | None = None) -> bytes:
    """One assessmentItem (UTF-8 XML) that validates against the QTI 2.1 schema.

    Scoring reproduces ours: single and true-false score 1 when the chosen option is the correct one;
    multiple maps each right option to 1/k and each wrong one to -1/k, bounded to 0..1; numeric scores
    1 when |response - answer| <= tolerance (inclusive); matching maps each right `prompt answer` pair
    (directedPair) to 1/n of n prompts; short answer maps each accepted answer to its credit, ignoring case
    (QTI has no whitespace folding, so extra spaces are not forgiven there as they are here). Options keep their file order (shuffle off:
    rationales and explanations may refer to "option B"). Each option's rationale is modal feedback
    shown when it was chosen; the explanation (and reference) is modal feedback shown after any answer.
    Markdown is rendered and sanitised by MarkdownRenderer, then mapped to QTI's XHTML subset.
    """
    renderer = renderer or MarkdownRenderer()
    root = etree.Element(qti("assessmentItem"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", QTI_SCHEMA_LOCATION)
    root.set("identifier", question.id)
    root.set("title", _plain(renderer.render_inline(question.prompt)) or question.id)
    root.set("adaptive", "false")
    root.set("timeDependent", "false")
    root.set("toolName", TOOL_NAME)
    if question.type is QuestionType.NUMERIC:
        _numeric_item(root, question, renderer)
    elif question.type is QuestionType.MATCHING:
        _matching_item(root, question, renderer)
    elif question.type is QuestionType.SHORT:
        _short_item(root, question, renderer)
    else:
        _choice_item(root, question, renderer)
    _modal(root, SOLUTION, SOLUTION, "Explanation", renderer.render(_explanation(question)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qti_package(questions: Iterable[QuestionSpec]) -> dict[str, bytes]:
    """`items/<id>.xml` per question plus `imsmanifest.xml` (IMS Content Packaging 1.1, as QTI 2.1 uses).

    Raises ValueError when two questions share an id: their files would overwrite each other.
    """
    renderer = MarkdownRenderer()
    files: dict[str, bytes] = {}
    for question in questions:
        name = f"items/{question.id}.xml"
        if name in files:
            raise ValueError(f"two questions have the id {question.id!r}: run `flask content check` first")
        files[name] = export_qti_item(question, renderer)
    files["imsmanifest.xml"] = _manifest(sorted(files))
    return files


def _choice_item(root: etree._Element, question: QuestionSpec, renderer: MarkdownRenderer) -> None:
    multiple = question.type is QuestionType.MULTIPLE
    cardinality = "multiple" if multiple else "single"
    declaration = _element(
        root, "responseDeclaration", identifier=RESPONSE, cardinality=cardinality, baseType="identifier"
    )
    correct = _element(declaration, "correctResponse")
    for key in question.correct_keys:
        _element(correct, "value").text = key
    if multiple:
        share = 1 / len(question.correct_keys)
        mapping = _element(declaration, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
        for option in question.options:
            _element(
                mapping, "mapEntry", mapKey=option.key, mappedValue=repr(share if option.correct else -share)
            )
    _score_outcomes(root)
    _element(root, "outcomeDeclaration", identifier=FEEDBACK, cardinality=cardinality, baseType="identifier")
    _element(root, "outcomeDeclaration", identifier=SOLUTION, cardinality="single", baseType="identifier")

    body = _element(root, "itemBody")
    _stem(body, question, renderer)
    interaction = _element(
        body,
        "choiceInteraction",
        responseIdentifier=RESPONSE,
        shuffle="false",
        maxChoices="0" if multiple else "1",
    )
    append_html(_element(interaction, "prompt"), renderer.render(question.prompt), inline=True)
    labels = renderer.render_many([o.text for o in question.options])
    for option, label in zip(question.options, labels, strict=True):
        append_html(_element(interaction, "simpleChoice", identifier=option.key), label, inline=True)

    processing = _element(root, "responseProcessing")
    if multiple:
        _if_else(processing, _is_null(), _set_score("0"), _mapped_score())
    else:
        match = etree.Element(qti("match"))
        _element(match, "variable", identifier=RESPONSE)
        _element(match, "correct", identifier=RESPONSE)
        _if_else(processing, match, _set_score("1"), _set_score("0"))
    shown = _element(processing, "setOutcomeValue", identifier=FEEDBACK)
    _element(shown, "variable", identifier=RESPONSE)
    _set_solution(processing)

    rationales = renderer.render_many([o.rationale for o in question.options])
    for option, rationale in zip(question.options, rationales, strict=True):
        _modal(root, FEEDBACK, option.key, f"Option {option.key}", rationale)


def _numeric_item(root: etree._Element, question: QuestionSpec, renderer: MarkdownRenderer) -> None:
    declaration = _element(
        root, "responseDeclaration", identifier=RESPONSE, cardinality="single", baseType="float"
    )
    assert question.answer is not None  # the parser guarantees an answer on a numeric item
    _element(_element(declaration, "correctResponse"), "value").text = plain_number(question.answer)
    _score_outcomes(root)
    _element(root, "outcomeDeclaration", identifier=SOLUTION, cardinality="single", baseType="identifier")

    body = _element(root, "itemBody")
    _stem(body, question, renderer)
    append_html(_element(body, "div", **{"class": "prompt"}), renderer.render(question.prompt), inline=True)
    answer_line = _element(body, "p")
    entry = _element(answer_line, "textEntryInteraction", responseIdentifier=RESPONSE)
    entry.set("expectedLength", str(max(8, len(plain_number(question.answer)) + 2)))
    if question.unit:
        entry.tail = xml_text(f" {question.unit}")

    processing = _element(root, "responseProcessing")
    tolerance = question.tolerance or 0.0
    within = etree.Element(qti("equal"), toleranceMode="absolute" if tolerance else "exact")
    if tolerance:
        within.set("tolerance", plain_number(tolerance))  # one value: the same distance below and above
    _element(within, "variable", identifier=RESPONSE)
    _element(within, "correct", identifier=RESPONSE)
    condition = _element(processing, "responseCondition")
    first = _element(condition, "responseIf")
    first.append(_is_null())
    first.append(_set_score("0"))
    second = _element(condition, "responseElseIf")
    second.append(within)
    second.append(_set_score("1"))
    _element(condition, "responseElse").append(_set_score("0"))
    _set_solution(processing)


def _matching_item(root: etree._Element, question: QuestionSpec, renderer: MarkdownRenderer) -> None:
    declaration = _element(
        root, "responseDeclaration", identifier=RESPONSE, cardinality="multiple", baseType="directedPair"
    )
    correct = _element(declaration, "correctResponse")
    pairs = [key.replace("=", " ") for key in question.correct_keys]
    for pair in pairs:
        _element(correct, "value").text = pair
    mapping = _element(declaration, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
    for pair in pairs:
        _element(mapping, "mapEntry", mapKey=pair, mappedValue=repr(1 / len(pairs)))
    _score_outcomes(root)
    _element(root, "outcomeDeclaration", identifier=SOLUTION, cardinality="single", baseType="identifier")

    body = _element(root, "itemBody")
    _stem(body, question, renderer)
    interaction = _element(
        body,
        "matchInteraction",
        responseIdentifier=RESPONSE,
        shuffle="true" if question.shuffle else "false",
        maxAssociations=str(len(question.pairs)),
    )
    append_html(_element(interaction, "prompt"), renderer.render(question.prompt), inline=True)
    answers = question.match_answers
    labels = renderer.render_many([p.prompt for p in question.pairs] + [text for _, text in answers])
    prompts = _element(interaction, "simpleMatchSet")
    for pair, label in zip(question.pairs, labels, strict=False):
        choice = _element(prompts, "simpleAssociableChoice", identifier=pair.key, matchMax="1", fixed="true")
        append_html(choice, label, inline=True)
    column = _element(interaction, "simpleMatchSet")
    for (key, _), label in zip(answers, labels[len(question.pairs) :], strict=True):
        append_html(
            _element(column, "simpleAssociableChoice", identifier=key, matchMax="0"), label, inline=True
        )

    processing = _element(root, "responseProcessing")
    _if_else(processing, _is_null(), _set_score("0"), _mapped_score())
    _set_solution(processing)


def _short_item(root: etree._Element, question: QuestionSpec, renderer: MarkdownRenderer) -> None:
    declaration = _element(
        root, "responseDeclaration", identifier=RESPONSE, cardinality="single", baseType="string"
    )
    right = next(a for a in question.accepted if a.credit == 1.0)  # the parser guarantees one
    _element(_element(declaration, "correctResponse"), "value").text = xml_text(right.text)
    mapping = _element(declaration, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
    for accepted in question.accepted:
        _element(
            mapping,
            "mapEntry",
            mapKey=xml_text(accepted.text),
            mappedValue=repr(accepted.credit),
            caseSensitive="false",
        )
    _score_outcomes(root)
    _element(root, "outcomeDeclaration", identifier=SOLUTION, cardinality="single", baseType="identifier")

    body = _element(root, "itemBody")
    _stem(body, question, renderer)
    append_html(_element(body, "div", **{"class": "prompt"}), renderer.render(question.prompt), inline=True)
    entry = _element(_element(body, "p"), "textEntryInteraction", responseIdentifier=RESPONSE)
    entry.set("expectedLength", str(max(12, *(len(a.text) + 2 for a in question.accepted))))

    processing = _element(root, "responseProcessing")
    _if_else(processing, _is_null(), _set_score("0"), _mapped_score())
    _set_solution(processing)


def _stem(body: etree._Element, question: QuestionSpec, renderer: MarkdownRenderer) -> None:
    if question.stem.strip():
        append_html(_element(body, "div", **{"class": "stem"}), renderer.render(question.stem))


def _explanation(question: QuestionSpec) -> str:
    if question.reference:
        return f"{question.explanation}\n\nReference: {question.reference}"
    return question.explanation


def _score_outcomes(root: etree._Element) -> None:
    score = _element(root, "outcomeDeclaration", identifier=SCORE, cardinality="single", baseType="float")
    _element(_element(score, "defaultValue"), "value").text = "0"
    maximum = _element(
        root, "outcomeDeclaration", identifier=MAXSCORE, cardinality="single", baseType="float"
    )
    _element(_element(maximum, "defaultValue"), "value").text = "1"


def _modal(root: etree._Element, outcome: str, identifier: str, title: str, html: str) -> None:
    feedback = _element(
        root, "modalFeedback", outcomeIdentifier=outcome, identifier=identifier, showHide="show", title=title
    )
    append_html(feedback, html)


def _if_else(
    processing: etree._Element, test: etree._Element, then: etree._Element, other: etree._Element
) -> None:
    condition = _element(processing, "responseCondition")
    branch = _element(condition, "responseIf")
    branch.append(test)
    branch.append(then)
    _element(condition, "responseElse").append(other)


def _is_null() -> etree._Element:
    test = etree.Element(qti("isNull"))
    _element(test, "variable", identifier=RESPONSE)
    return test


def _set_score(value: str) -> etree._Element:
    setter = etree.Element(qti("setOutcomeValue"), identifier=SCORE)
    _element(setter, "baseValue", baseType="float").text = value
    return setter


def _mapped_score() -> etree._Element:
    setter = etree.Element(qti("setOutcomeValue"), identifier=SCORE)
    _element(setter, "mapResponse", identifier=RESPONSE)
    return setter


def _set_solution(processing: etree._Element) -> None:
    setter = _element(processing, "setOutcomeValue", identifier=SOLUTION)
    _element(setter, "baseValue", baseType="identifier").text = SOLUTION


def _element(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, qti(tag), attributes)


def _plain(html: str) -> str:
    """Text of an HTML fragment on one line (QTI titles are normalized strings)."""
    if not html.strip():
        return ""
    return xml_text(" ".join(lxml_html.fragment_fromstring(html, create_parent="div").text_content().split()))


def _manifest(item_files: list[str]) -> bytes:
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", CP_SCHEMA_LOCATION)
    root.set("identifier", "MANIFEST-order-desk-academy")

    def sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CP_NS}}}{tag}", attributes)

    metadata = sub(root, "metadata")
    sub(metadata, "schema").text = "QTIv2.1 Package"
    sub(metadata, "schemaversion").text = "1.0.0"
    sub(root, "organizations")
    resources = sub(root, "resources")
    for href in item_files:
        # Resource identifiers are xs:ID, which may not start with a digit as our ids may.
        identifier = "item-" + href.removeprefix("items/").removesuffix(".xml")
        resource = sub(resources, "resource", identifier=identifier, type="imsqti_item_xmlv2p1", href=href)
        sub(resource, "file", href=href)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
