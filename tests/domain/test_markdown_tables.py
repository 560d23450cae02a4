"""Tables in authored Markdown keep their column alignment through the sanitiser: a case file's amounts
(`---:`) line up on the right, as on a desk's documents."""

from app.domain.markdown_render import render_markdown

INVOICE = """\
| Line | SKU | Qty | Amount |
|---|:---:|---:|---:|
| 1 | WX-220 | 40 | $1,240.00 |
| 2 | WX-310 | 12 | $96.60 |
"""


def test_right_and_centre_aligned_columns_survive_sanitising():
    html = render_markdown(INVOICE)
    assert '<th align="right">Amount</th>' in html and '<td align="right">$1,240.00</td>' in html
    assert '<td align="center">WX-220</td>' in html
    assert "<td>1</td>" in html  # a column without alignment gets no attribute
    assert "style=" not in html
