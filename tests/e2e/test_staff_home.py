"""An editor logs in, lands on the staff home at 1366x768, and reaches the ballot selection
from it with no typed address; the project checkboxes can be seen and chosen by heading."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.core.tests.factories import administrator
from tests.e2e.conftest import assert_accessible, current_code, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


@pytest.fixture
def device() -> dict[str, object]:
    return {"viewport": {"width": 1366, "height": 768}}


def test_an_editor_lands_on_the_staff_home_and_chooses_projects_by_heading(
    page, site_settings, start_of_a_totp_step
):
    from samskab.budgets.models import Phase, Project
    from samskab.budgets.tests.factories import BudgetFactory, HeadingFactory, ProjectFactory
    from samskab.webcasts.tests.factories import MeetingFactory

    user, secret = administrator(email="redaktor@testby.example", password="Editor-pass-123")
    user.groups.set([Group.objects.get(name=Role.EDITOR.value)])
    MeetingFactory(title="Byrådsmøde i aften", starts_at=timezone.now() + timedelta(hours=3))
    budget = BudgetFactory(title="Borgerbudget 2028", phase=Phase.VALUATING)
    north = HeadingFactory(group__budget=budget, name="Nord")
    south = HeadingFactory(group=north.group, name="Syd")
    for heading, title in ((north, "Bænke"), (north, "Lys"), (south, "Sti")):
        ProjectFactory(heading=heading, title=title, status=Project.Status.FEASIBLE)

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("Editor-pass-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button.button-primary").click()

    page.wait_for_url(re.compile(r"/personale/$"))
    assert page.locator("h1").inner_text() == "Staff home"
    assert page.get_by_role("link", name="Byrådsmøde i aften", exact=True).is_visible()
    assert page.get_by_text("Editor", exact=True).is_visible()
    assert page.locator("header").get_by_role("link", name="Staff home").is_visible()
    assert_accessible(page)

    page.locator("[data-budget]").get_by_role(
        "link", name=re.compile("Projects, assessment")
    ).click()
    page.wait_for_url(re.compile(rf"/borgerbudget/{budget.pk}/behandling/$"))
    assert_accessible(page)
    boxes = page.locator("input[name=project]")
    assert boxes.count() == 3
    # Each row's box is drawn in its own cell (review: drawn once, top left, invisible).
    label = page.locator("label[for^=choose-]").first
    box = label.bounding_box()
    row = page.locator("tbody tr").first.bounding_box()
    assert box and row and row["y"] <= box["y"] <= row["y"] + row["height"]
    drawn = label.evaluate(
        "(el) => { const s = getComputedStyle(el, '::before');"
        " return [s.content, parseFloat(s.width), parseFloat(s.height)]; }"
    )
    assert drawn[0] != "none" and drawn[1] >= 16 and drawn[2] >= 16
    # Click the drawn box, as a mouse user would: it fills its .form-group-checkbox.
    group = page.locator("td .form-group-checkbox").first
    group.scroll_into_view_if_needed()
    area = group.bounding_box()
    assert area and area["width"] >= 16 and area["height"] >= 16
    page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    assert page.locator("input[name=project]").first.is_checked()
    assert page.locator("[data-choose-count]").inner_text() == "1 project chosen"
    page.get_by_role("button", name="None").click()

    page.get_by_role("button", name="All in Nord").click()
    assert page.locator("[data-choose-count]").inner_text() == "2 projects chosen"
    with page.expect_navigation():
        page.get_by_role("button", name="Put the chosen projects on the ballot").click()
    on_ballot = set(
        Project.objects.filter(status=Project.Status.ON_BALLOT).values_list("title", flat=True)
    )
    assert on_ballot == {"Bænke", "Lys"}


def _log_in(page, email: str, password: str, secret: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button.button-primary").click()
    page.wait_for_url(re.compile(r"/personale/$"))


def test_an_editor_answers_a_message_from_the_feedback_inbox_by_keyboard(
    page, site_settings, start_of_a_totp_step, mailoutbox
):
    from samskab.feedback.models import FeedbackMessage, FeedbackReply
    from samskab.webcasts.tests.factories import MeetingFactory

    user, secret = administrator(email="redaktor@testby.example", password="Editor-pass-123")
    user.display_name = "Mette Redaktør"
    user.save()
    user.groups.set([Group.objects.get(name=Role.EDITOR.value)])
    meeting = MeetingFactory(title="Teknik- og miljøudvalget")
    other = MeetingFactory(title="Byrådet")
    FeedbackMessage.objects.create(meeting=other, message="Lyden var dårlig.")
    feedback = FeedbackMessage.objects.create(
        meeting=meeting,
        name="Åse Bøgh",
        email="aase@testby.example",
        message="Husk cykelstien ved Møllevej.",
    )

    _log_in(page, user.email, "Editor-pass-123", secret)
    # From the staff home, with no typed address: the count of new messages leads there.
    page.get_by_role("link", name="2 messages not yet handled").click()
    page.wait_for_url(re.compile(r"/feedback/indbakke/\?status=new$"))
    assert_accessible(page)
    page.get_by_label("Meeting").select_option(value=str(meeting.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    rows = page.locator("[data-feedback]")
    assert rows.count() == 1
    page.get_by_role("link", name="Husk cykelstien ved Møllevej.").click()
    page.wait_for_url(re.compile(rf"/feedback/indbakke/{feedback.pk}/$"))
    assert_accessible(page)

    # The keyboard only: Tab to the answer, write, Tab to the button, Enter.
    tab_to(page, "textarea[name=reply-text]", limit=60)
    page.keyboard.type("Tak for din besked. Cykelstien kommer på udvalgets møde i marts.")
    tab_to(page, "[data-feedback-reply] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".alert-success").is_visible()
    assert page.locator("[data-feedback-replies]").get_by_text("Cykelstien kommer").is_visible()
    assert_accessible(page)

    (mail,) = mailoutbox
    assert mail.to == ["aase@testby.example"]
    assert "Cykelstien kommer på udvalgets møde i marts." in mail.body
    feedback.refresh_from_db()
    assert feedback.status == FeedbackMessage.Status.ANSWERED
    assert FeedbackReply.objects.get().author == user


def test_an_administrator_invites_a_colleague_who_sets_a_password_and_reaches_the_second_factor(
    page, browser, live_server, site_settings, start_of_a_totp_step, mailoutbox
):
    from samskab.accounts.models import User

    admin, secret = administrator(password="Admin-pass-123")
    _log_in(page, admin.email, "Admin-pass-123", secret)
    page.locator("[data-tools]").get_by_role("link", name="Invite a colleague").click()
    page.wait_for_url(re.compile(r"/konto/personale/inviter/$"))
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Hanne Vestergaard")
    page.get_by_label("Work e-mail address").fill("hanne@testby.example")
    page.get_by_label("Editor", exact=True).check()
    page.get_by_label("Webcast operator", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/konto/personale/\?q="))
    row = page.locator("[data-person]", has_text="Hanne Vestergaard")
    assert row.locator("[data-role]").all_inner_texts() == ["Editor", "Webcast operator"]
    assert row.get_by_text("Invited, password not chosen yet").is_visible()
    assert_accessible(page)

    # The search finds people by role too.
    page.get_by_label("Name or e-mail").fill("")
    page.get_by_label("Role", exact=True).select_option(label="Administrator")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert page.locator("[data-person]").count() == 1

    (mail,) = mailoutbox
    path = re.search(r"https?://[^/\s]+(/konto/invitation/\S+/)", mail.body).group(1)
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1366, "height": 768}
    )
    try:
        colleague = context.new_page()
        colleague.goto(path)
        assert_accessible(colleague)
        colleague.get_by_label("New password", exact=True).fill("Blaa-cykel-vinter-1987")
        colleague.get_by_label("New password confirmation").fill("Blaa-cykel-vinter-1987")
        colleague.get_by_role("button", name="Save the password").click()
        colleague.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
        assert colleague.locator("input[name=code]").is_visible()
    finally:
        context.close()
    hanne = User.objects.get(email="hanne@testby.example")
    assert hanne.check_password("Blaa-cykel-vinter-1987") and hanne.last_login is not None
