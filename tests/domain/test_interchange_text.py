"""Text helpers behind the imports: slugs and ids, format conversion, and lines our parser would misread."""

from __future__ import annotations

import pytest

from app.domain.interchange import ImportStatus, import_gift
from app.domain.interchange.html_to_markdown import escape_plain, html_to_markdown
from app.domain.interchange.ids import IdAllocator, slugify
from app.domain.interchange.markdown_writer import split_prompt
from app.domain.interchange.text_formats import to_markdown
from app.domain.markdown_render import render_markdown
from app.domain.questions import parse_questions


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Crédit hold: first move?", "credit-hold-first-move"),
        ("  EDI 855 / 856  ", "edi-855-856"),
        ("仓库", ""),
        ("a" * 30 + " " + "b" * 40, "a" * 30),  # cut at a word boundary
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_ids_are_prefixed_unique_and_skip_taken_ones() -> None:
    ids = IdAllocator("gift", taken={"gift-credit-hold"})
    assert ids.allocate("Credit hold") == "gift-credit-hold-2"
    assert ids.allocate("Credit hold") == "gift-credit-hold-3"
    assert ids.allocate(None, "", "仓库", "Which set is the ASN?") == "gift-which-set-is-the-asn"
    assert ids.allocate(None) == "gift-question"
    assert len(ids.allocate("x" * 200)) <= 80


@pytest.mark.parametrize(
    "plain",
    [
        "# not a heading",
        "- not a list",
        "1. not a list",
        "> not a quote",
        "a *b* _c_ [d](e) <f> &amp;",
        "---",
        "===",
    ],
)
def test_plain_text_is_escaped_so_it_renders_as_typed(plain: str) -> None:
    html = render_markdown(escape_plain(plain))
    assert html.startswith("<p>") and html.count("<p>") == 1, html
    assert "<h1>" not in html and "<li>" not in html and "<blockquote>" not in html and "<em>" not in html


def test_html_converts_to_markdown_and_says_what_it_dropped() -> None:
    converted = html_to_markdown(
        "<h2>Case</h2><p>Order <b>SO-1</b> is <i>held</i>.<br>Call <a href='mailto:credit@example.com'>credit</a>"
        " or <a href='javascript:x()'>this</a>.</p><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2 | 3</td></tr></table>"
        "<pre>code {x}</pre><blockquote><p>quoted</p></blockquote><img src='x.png' alt='chart'>"
        "<iframe src='x'></iframe><hr>"
    )
    assert converted.markdown.split("\n\n") == [
        "## Case",
        "Order **SO-1** is *held*.\nCall [credit](mailto:credit@example.com) or this.",
        "- one\n- two",
        "1. first",
        "| A | B |\n|---|---|\n| 1 | 2 \\| 3 |",
        "```\ncode {x}\n```",
        "> quoted",
        "\\[image: chart\\]",
        "* * *",
    ]
    assert converted.dropped == ["embedded frames", "images"]


def test_moodle_auto_format_is_html_only_when_it_has_tags() -> None:
    assert to_markdown("Use *care*\nhere", "moodle").markdown == "Use \\*care\\*\nhere"
    assert to_markdown("Use <b>care</b>\nhere", "moodle").markdown == "Use **care**\nhere"
    assert to_markdown("Keep *this*", "markdown").markdown == "Keep *this*"


def test_the_last_plain_paragraph_is_the_prompt() -> None:
    assert split_prompt("Case data.\n\n| a |\n|---|\n\nWhat now?\nReally?") == (
        "What now? Really?",
        "Case data.\n\n| a |\n|---|",
    )
    assert split_prompt("| only | a table |\n|---|---|") == ("", "| only | a table |\n|---|---|")
    assert split_prompt("```\ncode\n\nmore\n```\n\nAsk?") == ("Ask?", "```\ncode\n\nmore\n```")


def test_lines_our_parser_would_read_as_structure_are_written_safely() -> None:
    text = (
        "[markdown]## Case heading\\n"
        "Explanation\\: this line starts like a keyword\\n"
        "Answer\\: 42 is case data\\n"
        "- [x] looks like an option\\n"
        "```\\nfenced\\n\\n## in code\\n```\\n\\n"
        "What do you do?"
        "{=Act#Right.\\n\\: colon line\\n## not a heading\\n- [ ] not an option ~Wait#No."
        "####Because\\nReference\\: not a reference\\n- [x] not an option either}"
    )
    [item] = import_gift(text, "tricky.gift").items
    assert item.status is ImportStatus.IMPORTED, item.notes
    questions, problems = parse_questions(item.markdown or "", "tricky.md")
    assert [str(p) for p in problems] == []
    [question] = questions
    assert question.stem.startswith(
        "### Case heading\n&#69;xplanation: this line starts like a keyword\n&#65;nswer:"
    )
    assert [o.text for o in question.options] == ["Act", "Wait"]
    assert "- \\[x] looks like an option\n```\nfenced\n\n## in code\n```" in question.stem  # code untouched
    # Rationale lines are indented four spaces where two would read as a heading or an option.
    assert question.options[0].rationale == "Right.\n&#58; colon line\n## not a heading\n- [ ] not an option"
    assert question.explanation == "Because\n&#82;eference: not a reference\n- \\[x] not an option either"
    assert question.reference is None


def test_an_unclosed_code_block_is_closed_and_a_text_without_a_question_is_skipped() -> None:
    titled, untitled = import_gift(
        "::Fenced::[markdown]```\\nSO-1 short 40{T####Yes.}\n\n[markdown]```\\nx{T}", "f"
    ).items
    questions, problems = parse_questions(titled.markdown or "", "fenced.md")
    assert problems == [] and questions[0].stem == "```\nSO-1 short 40\n```"
    assert titled.notes[0] == "line 1: no one-line question found in the text: the title is the prompt"
    assert untitled.status is ImportStatus.SKIPPED
    assert untitled.notes == (
        "line 3: the question has no plain paragraph to ask as the question and no title: skipped",
    )
