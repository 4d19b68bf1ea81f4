"""Rendering helpers: writer text to HTML, message splitting, UI strings, catalog version."""

from __future__ import annotations

from pathlib import Path

from bot.content.catalog import Catalog, load_catalog
from bot.content.render import parse_blocks, split_messages, summary, text_to_html
from bot.content.telegram_html import text_length, validate_html


def test_text_is_escaped_and_bullets_marked() -> None:
    html = text_to_html("A <b> & \"c\"\nwrapped line.\n\n- one\n- two\n  continued\n\nEnd.")
    assert str(html) == ("A &lt;b&gt; &amp; &#34;c&#34; wrapped line.\n\n• one\n• two continued"
                         "\n\nEnd.")
    assert validate_html(str(html)) == []


def test_blocks_and_summary() -> None:
    text = "Majors that help:\n- computer science\n- IT\n- engineering\n- other"
    assert parse_blocks(text)[1].bullets == ("computer science", "IT", "engineering", "other")
    assert summary(text) == "computer science; IT; engineering"
    assert summary("First one. Second one.") == "First one."


def test_split_on_paragraphs_never_inside_tags() -> None:
    paragraph = "word " * 150
    html = "\n\n".join(f"<b>{i}</b> {paragraph}" for i in range(20))
    html += "\n\n<blockquote>quoted\n\n" + paragraph + "</blockquote>"
    parts = split_messages(html, limit=1000)
    assert len(parts) > 1
    for part in parts:
        assert validate_html(part) == [], part[:80]
        assert text_length(part) <= 1000
    assert "".join(parts).replace("\n", "") == html.replace("\n", "")


def test_split_one_huge_line() -> None:
    parts = split_messages("x " * 5000, limit=4096)
    assert len(parts) == 3
    assert all(text_length(p) <= 4096 for p in parts)


def test_short_message_is_not_split() -> None:
    assert split_messages("<b>hi</b>") == ["<b>hi</b>"]


def test_ui_strings_format_and_fall_back_to_english(catalog: Catalog) -> None:
    assert catalog.ui("en", "answers.source", name="X") == "Source: X"
    assert catalog.ui("nn", "answers.source", name="X") == "Kjelde: X"
    assert catalog.ui("de", "answers.source", name="X") == "Source: X"
    assert catalog.ui("en", "answers.no.such.key") == "answers.no.such.key"


def test_ui_fallback_for_a_key_missing_in_one_language(content_copy: Path) -> None:
    path = content_copy / "ui" / "nb" / "answers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("see_also:", "see_also_x:"),
                    encoding="utf-8")
    cat = load_catalog(content_copy)
    assert cat.ui("nb", "answers.see_also", topics="a") == "You can ask me about: a."


def test_version_changes_when_a_file_changes(content_copy: Path) -> None:
    before = load_catalog(content_copy).version
    assert load_catalog(content_copy).version == before
    path = content_copy / "roles" / "helpdesk-specialist" / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load_catalog(content_copy).version != before


def test_renders_are_cached_and_copied(catalog: Catalog) -> None:
    first = catalog.render_topic("it-project-manager", "overview", "en")
    first.append("mutated")
    assert catalog.render_topic("it-project-manager", "overview", "en")[-1] != "mutated"


def test_persian_lines_start_right_to_left(catalog: Catalog) -> None:
    for msg in catalog.render_topic("it-service-manager", "certifications", "fa"):
        for line in msg.split("\n"):
            assert not line or line.startswith("\u200f")
        assert "\u2068ITIL" in msg or "ITIL" not in msg


def test_aliases_include_names(catalog: Catalog) -> None:
    aliases = catalog.aliases()
    assert set(aliases) == set(catalog.role_ids)
    for role, by_lang in aliases.items():
        for lang, names in by_lang.items():
            assert names[0] == catalog.role_name(role, lang)


def test_unavailable_topic_gives_reason_and_alternatives(content_copy: Path) -> None:
    path = content_copy / "roles" / "it-service-manager" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  certifications:\n")
    end = text.index("\n  outlook:")
    path.write_text(text[:start] + "  certifications:\n    unavailable: The source lists none."
                    "\n    see_also: [education, skills]" + text[end:], encoding="utf-8")
    cat = load_catalog(content_copy)
    assert not cat.topic_available("it-service-manager", "certifications", "en")
    assert cat.see_also("it-service-manager", "certifications", "en") == ("education", "skills")
    html = cat.render_topic("it-service-manager", "certifications", "en")[0]
    assert "The source lists none." in html
    assert "You can ask me about: education, skills." in html
    assert html.endswith("</i>") and "Source:" in html.rsplit("\n", 1)[-1]
    assert validate_html(html) == []


def test_unknown_language_renders_in_english(catalog: Catalog) -> None:
    assert catalog.render_topic("it-project-manager", "salary", "de") == catalog.render_topic(
        "it-project-manager", "salary", "en")


def test_ui_files_may_use_flat_or_nested_keys(content_copy: Path) -> None:
    (content_copy / "ui" / "en" / "zz_test.yaml").write_text(
        'flat.key: "Flat {x}"\nnested:\n  deeper:\n    key: Nested\n', encoding="utf-8")
    cat = load_catalog(content_copy)
    assert cat.ui("en", "zz_test.flat.key", x=1) == "Flat 1"
    assert cat.ui("nb", "zz_test.nested.deeper.key") == "Nested"


def test_compare_keeps_each_pay_in_its_own_terms(catalog: Catalog) -> None:
    html = catalog.render_compare("user-support-specialist", "ict-service-technician", "en")[0]
    assert "€800–€1,400" in html and "43,880\u00a0kr" in html
    assert "Latvia" in html and "Norway" in html
    html = catalog.render_compare("helpdesk-specialist", "it-project-manager", "en")[0]
    assert "35\u00a0million" in html
    assert "Senior support technician" in html  # the step after this role on the seed's ladder
    # The project manager's education text is general guidance: compare does not present it
    # as the source's word.
    if catalog.topic_text("it-project-manager", "education", "en").general:  # type: ignore[union-attr]
        assert catalog.ui("en", "answers.compare.not_in_source") in html
