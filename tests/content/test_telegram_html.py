"""The validator of Telegram's HTML subset and its length measure."""

from __future__ import annotations

import pytest

from bot.content.telegram_html import plain_text, text_length, validate_html


@pytest.mark.parametrize("html", [
    "plain text",
    "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>i</ins>",
    "<s>s</s> <strike>s</strike> <del>d</del> <code>x</code> <pre>y</pre>",
    '<pre><code class="language-python">x = 1</code></pre>',
    '<a href="https://example.org/?a=1&amp;b=2">link</a>',
    '<tg-spoiler>x</tg-spoiler> <span class="tg-spoiler">y</span>',
    "<blockquote>q</blockquote> <blockquote expandable>q</blockquote>",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "&lt;tag&gt; &amp; &quot; &#39; &#x1F600;",
    "<b>bold <i>and italic</i></b>",
])
def test_valid(html: str) -> None:
    assert validate_html(html) == []


@pytest.mark.parametrize(("html", "fragment"), [
    ("<div>x</div>", "not supported"),
    ("<b>x", "never closed"),
    ("x</b>", "closes nothing"),
    ("<b><i>x</b></i>", "improper nesting"),
    ("a < b", "unescaped '<'"),
    ("a & b", "unescaped '&'"),
    ("&nbsp;", "unsupported entity"),
    ("<a>x</a>", "href"),
    ('<b class="x">x</b>', "no attributes"),
    ('<span class="red">x</span>', "tg-spoiler"),
    ("<br/>", "not supported"),
    ("", "empty"),
    ("<b></b>", "empty"),
])
def test_invalid(html: str, fragment: str) -> None:
    errors = validate_html(html)
    assert any(fragment in e for e in errors), errors


def test_plain_text_strips_tags_and_decodes_entities() -> None:
    assert plain_text("<b>a &amp; b</b> &lt;3 &#34;q&#34;") == 'a & b <3 "q"'


def test_length_counts_utf16_units_of_visible_text() -> None:
    assert text_length("<b>abc</b>") == 3
    assert text_length("&amp;") == 1
    assert text_length("😀") == 2  # outside the BMP: a surrogate pair
    assert text_length("۴۳٬۸۸۰") == 6
    assert text_length('<a href="https://example.org/very/long">x</a>') == 1
