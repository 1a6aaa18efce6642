"""A draft's text: anchors from § and stk., Word import, sentences, highlights, differences."""

import pytest

from samskab.hearings import drafts
from samskab.hearings.tests.factories import DRAFT, docx_bytes


def test_sections_and_numbered_paragraphs_become_anchors():
    blocks = drafts.blocks_of(DRAFT)
    anchors = {b.anchor: b.label for b in blocks}
    assert anchors["p1"] == "§ 1"
    assert anchors["p1-stk1"] == "§ 1, stk. 1"
    assert anchors["p1-stk2"] == "§ 1, stk. 2"
    assert anchors["p2-stk2"] == "§ 2, stk. 2"
    assert blocks[0].anchor.startswith("h-") and blocks[1].anchor == "a1"
    assert len(anchors) == len(blocks)  # unique


def test_a_paragraph_starting_with_a_section_is_its_first_paragraph():
    blocks = drafts.blocks_of("§ 4. Skilte må ikke være over 1 m².\n\nStk. 2. Ingen lys.")
    assert [(b.anchor, b.label) for b in blocks] == [("p4", "§ 4"), ("p4-stk2", "§ 4, stk. 2")]


def test_emphasis_is_plain_text_and_duplicates_get_their_own_anchor():
    blocks = drafts.blocks_of("**Fed** og *kursiv*\n\n## Noter\n\n## Noter")
    assert blocks[0].text == "Fed og kursiv"
    assert [b.anchor for b in blocks[1:]] == ["h-noter", "h-noter-2"]


def test_a_word_document_is_imported_with_its_headings():
    data = docx_bytes(
        [("Heading1", "§ 1. Formål"), ("", "Grønne områder."), ("", "Stk. 2. Stier.")]
    )
    markdown = drafts.docx_to_markdown(data)
    assert markdown.startswith("# § 1. Formål")
    assert [b.anchor for b in drafts.blocks_of(markdown)] == ["p1", "p1-stk1", "p1-stk2"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not a zip", "not_docx"),
        (b"PK\x03\x04broken", "not_docx"),
        (b"x" * (drafts.MAX_DOCX_BYTES + 1), "too_large"),
    ],
)
def test_what_is_no_word_document_is_refused(data, code):
    with pytest.raises(drafts.DraftError) as refused:
        drafts.docx_to_markdown(data)
    assert refused.value.code == code


def test_a_zip_without_a_document_is_no_word_document():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(drafts.DraftError):
        drafts.docx_to_markdown(out.getvalue())


def test_sentences_split_where_a_new_sentence_starts():
    text = "Bygninger må højst være 8,5 m høje. Tage skal være røde. § 3 gælder."
    assert [text[a:b] for a, b in drafts.sentences(text)] == [
        "Bygninger må højst være 8,5 m høje.",
        "Tage skal være røde.",
        "§ 3 gælder.",
    ]


def test_highlights_mark_passages_and_count_them_escaped():
    html = drafts.highlighted("a <b> c", [drafts.Mark(2, 5, 2, "/p/1", "2 kommentarer")])
    assert html.startswith('a <mark>&lt;b&gt;</mark><a class="passage-count"')
    assert ">2</a> c" in html


def test_a_mark_without_an_address_is_marked_without_a_count_link():
    html = drafts.highlighted(
        "abc def ghi",
        [drafts.Mark(0, 3, 1, "", ""), drafts.Mark(4, 7, 4, "/p/2", "4 kommentarer")],
    )
    assert html.startswith("<mark>abc</mark> <mark>def</mark><a class=")
    assert html.count("passage-count") == 1 and ">4</a> ghi" in html


def test_the_difference_shows_changed_added_and_removed_paragraphs():
    old = [
        ("a", "§ 1", "Tage skal være røde."),
        ("b", "", "Ingen carporte."),
        ("c", "", "Træer bevares."),
    ]
    new = [
        ("a", "§ 1", "Tage skal være sorte."),
        ("c", "", "Træer bevares."),
        ("d", "", "Nye stier anlægges langs åen."),
    ]
    rows = drafts.difference(old, new)
    states = [r.state for r in rows]
    assert states == ["changed", "removed", "same", "added"]
    assert "<del>røde.</del>" in rows[0].html and "<ins>sorte.</ins>" in rows[0].html
