"""Issue 22's "Done when", on a phone (390 px): staff import a draft from .docx, a citizen
comments on passages by keyboard (a paragraph, then its sentences) and by selecting text,
staff publish version 2 and the comments follow their passages, an organisation submits a
hearing answer with an attachment, staff tag and answer it, and the case-file PDF contains
it. Every page passes axe."""

import io
import re

import pytest
from django.contrib.auth.models import Group

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import PASSWORD, UserFactory
from samskab.core.tests.factories import administrator
from samskab.hearings.models import Answer, Passage, Version
from samskab.hearings.tests.factories import ProcessFactory, docx_bytes, in_phase, pdf_bytes
from tests.e2e.conftest import assert_accessible, current_code, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


@pytest.fixture
def device() -> dict[str, object]:
    return {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }


def _staff_log_in(page, user, secret) -> list:
    """Log in with the second factor once; the session's cookies come back to switch to it
    again (a TOTP code is good only once)."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("Editor-pass-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button.button-primary").click()
    page.wait_for_url(re.compile(r"/personale/$"))
    return page.context.cookies()


def _as_staff(page, cookies: list) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(cookies)


def _log_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


WORD = [
    ("Heading1", "Lokalplan 101 for Åparken"),
    ("Heading2", "§ 1. Formål"),
    ("", "Formålet er at sikre grønne områder langs åen. Området skal være åbent for alle."),
    ("Heading2", "§ 2. Bebyggelse"),
    ("", "Bygninger må højst være 8,5 meter høje. Tage skal være røde."),
    ("", "Stk. 2. Der må ikke opføres carporte."),
]


def test_a_hearing_from_word_draft_to_case_file(page, site_settings, start_of_a_totp_step):
    editor, secret = administrator(email="redaktor@testby.example", password="Editor-pass-123")
    editor.groups.set([Group.objects.get(name=Role.EDITOR.value)])
    process = in_phase(ProcessFactory(title="Lokalplan 101 for Åparken"), "draft")
    citizen = UserFactory()

    # Staff import the draft from Word.
    staff = _staff_log_in(page, editor, secret)
    page.goto(f"/hoeringer/{process.pk}/versioner/ny/")
    assert_accessible(page)
    page.set_input_files(
        "input[name=docx]",
        files=[
            {
                "name": "lokalplan.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document",
                "buffer": docx_bytes(WORD),
            }
        ],
    )
    page.get_by_label("What changed in this version").fill("Første udkast")
    page.get_by_role("button", name="Publish the version").click()
    page.wait_for_url(re.compile(rf"/hoeringer/{process.pk}/udkast/$"))
    assert Version.objects.get().source == "docx"

    # A citizen on a phone, by keyboard: the paragraph's link, then its second sentence.
    _log_in(page, citizen)
    page.goto(f"/hoeringer/{process.pk}/udkast/")
    assert_accessible(page)
    tab_to(page, "a.draft-comment-link[href$='anchor=p2-stk1']", limit=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    page.get_by_label("From sentence").select_option(index=1)
    page.get_by_label("To sentence").select_option(index=1)
    page.get_by_label("Your comment").fill("Sorte tage passer bedre.")
    tab_to(page, "form.passage-form button.button-primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Tage skal være røde." in page.locator("blockquote.passage-chosen").inner_text()
    assert_accessible(page)

    # And by selecting text (touch): the selection's button takes the offsets along.
    page.goto(f"/hoeringer/{process.pk}/udkast/")
    page.evaluate(
        """() => {
            const p = document.querySelector('[data-anchor="p1-stk1"]');
            const text = p.firstChild;
            const at = text.textContent.indexOf('grønne områder');
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + 'grønne områder'.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    button = page.locator("#draft-selection-button")
    button.wait_for(state="visible")
    button.tap()
    page.wait_for_url(re.compile(r"/udkast/kommenter/\?"))
    assert page.locator("blockquote.passage-chosen").inner_text() == "grønne områder"
    page.get_by_label("Your comment").fill("Gerne flere træer.")
    page.get_by_role("button", name="Post the comment").click()
    page.wait_for_url(re.compile(r"/hoeringer/passage/\d+/$"))
    page.goto(f"/hoeringer/{process.pk}/udkast/")
    assert page.locator("mark").count() == 2 and page.locator("a.passage-count").count() == 2
    assert_accessible(page)
    # Under the paragraph: its count, opened by keyboard to its latest comments; then the
    # paragraph's own page with all of them.
    page.locator("#p1-stk1 details.draft-comments summary").focus()
    page.keyboard.press("Enter")
    latest = page.locator("#p1-stk1 .draft-latest")
    assert latest.get_by_text("Gerne flere træer.").is_visible()
    assert_accessible(page)
    page.goto(f"/hoeringer/{process.pk}/udkast/afsnit/p1-stk1/")
    assert page.locator(".paragraph-comment").count() == 1
    assert page.locator("blockquote.passage-paragraph mark").inner_text() == "grønne områder"
    assert_accessible(page)

    # Staff publish version 2: the roof passage moves with its paragraph, the carport one
    # is gone.
    _as_staff(page, staff)
    page.goto(f"/hoeringer/{process.pk}/versioner/ny/")
    text = page.get_by_label("Text (Markdown)")
    markdown = text.input_value().replace(
        "## § 2. Bebyggelse", "## § 2. Bebyggelse\n\nNy indledning om byggeriet."
    )
    text.fill(markdown.replace("Formålet er at sikre", "Formålet er især at sikre"))
    page.get_by_label("What changed in this version").fill("Indledning til § 2")
    page.get_by_role("button", name="Publish the version").click()
    page.wait_for_url(re.compile(rf"/hoeringer/{process.pk}/udkast/$"))
    roof = Passage.objects.get(quote="Tage skal være røde.")
    assert roof.current_version.number == 2 and roof.state == "exact"
    assert page.locator("mark", has_text="grønne områder").count() == 1
    page.goto(f"/hoeringer/{process.pk}/versioner/?fra=1&til=2")
    assert page.locator("ins", has_text="især").count() == 1
    assert_accessible(page)

    # An organisation answers in the hearing phase, with an attachment.
    in_phase(process, "hearing")
    _log_in(page, citizen)
    page.goto(process.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Submit a hearing answer").click()
    page.get_by_label("Name to show").fill("Karen Holm")
    page.get_by_label("On behalf of an organisation").fill("Grundejerforeningen Åparken")
    page.get_by_label("Your hearing answer").fill("Vi ønsker stien bevaret.")
    page.set_input_files(
        "input[name=files]",
        files=[
            {
                "name": "kort.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes("Kort over stien"),
            }
        ],
    )
    page.get_by_label("The municipality may publish my answer").check()
    assert_accessible(page)
    page.get_by_role("button", name="Submit the hearing answer").click()
    page.wait_for_url(re.compile(rf"/hoeringer/{process.pk}/$"))
    answer = Answer.objects.get()
    assert answer.organisation == "Grundejerforeningen Åparken"

    # Staff tag it, answer its theme and build the case file.
    _as_staff(page, staff)
    page.goto(f"/hoeringer/{process.pk}/behandling/")
    page.get_by_label("New theme").fill("Stier")
    page.get_by_role("button", name="Add the theme").click()
    page.locator(f"#answer-{answer.pk}").get_by_label("Stier").check()
    page.locator(f"#answer-{answer.pk}").get_by_role("button", name="Save the tags").click()
    page.get_by_role("textbox", name=re.compile("The municipality's answer")).fill("Stien bevares.")
    page.get_by_role("button", name="Save the answer").click()
    assert_accessible(page)
    # The build is a form post that comes back to this page; reload only once it has.
    with page.expect_navigation():
        page.get_by_role("button", name="Build one PDF with every answer and attachment").click()
    page.reload()
    link = page.get_by_role("link", name=re.compile("PDF with 1 answer"))
    response = page.request.get(link.get_attribute("href"))
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Grundejerforeningen" in text and "Stier" in text and "Kort over stien" in text
    assert [t.name for t in Answer.objects.get().themes.all()] == ["Stier"]
