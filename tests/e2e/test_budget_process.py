"""The citizens' budget around the vote: the map, proposing a project with a place and a
picture on a phone, and a valuator assessing projects and deciding the ballot."""

import io
import json
import re

import pytest
from PIL import Image

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import PASSWORD, StaffFactory, UserFactory, with_totp
from samskab.budgets.demo import MUNICIPALITY, TOWN_CENTRE, budgets_demo_load
from samskab.budgets.models import Heading, Phase, Project, ValuatorAssignment
from samskab.budgets.tests.factories import BudgetFactory, GroupFactory, HeadingFactory
from samskab.places.geo import Projection, parse_geometry
from samskab.places.selectors import place_of
from tests.e2e.conftest import PHONE, assert_accessible, current_code, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


def _log_in(page, user, secret=None) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    if secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.locator("input[name=code]").fill(current_code(secret))
        with page.expect_navigation():
            page.locator("main button.button-primary").click()


def _geometry(ring) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[list(p) for p in ring]]})


def test_the_map_shows_areas_and_projects_and_works_by_keyboard(page, site_settings):
    budget = budgets_demo_load()
    centre = Heading.objects.get(group__budget=budget, name="Midtbyen")
    page.goto(budget.get_absolute_url())
    assert_accessible(page)
    areas = page.locator("svg.places-map-svg a.places-map-link")
    assert areas.count() == 2
    # A keyboard user reaches the district on the map and opens it.
    tab_to(page, f"svg a[href='{centre.get_absolute_url()}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Midtbyen"
    assert page.locator("svg.places-map-svg circle.places-map-point").count() == 5
    assert_accessible(page)

    page.goto(f"/borgerbudget/{budget.pk}/kort/")
    assert_accessible(page)
    # Eleven projects with a place, each a point and a line in the list.
    assert page.locator("svg circle.places-map-point").count() == 11
    assert page.locator("main ul li a[href*='/projekt/']").count() == 11
    page.locator("svg a[aria-label='Legeplads i Byparken']").click()
    page.wait_for_url("**/projekt/*/")
    picture = page.locator("main .attachments-gallery img")
    assert picture.get_attribute("alt").startswith("Tegning af legepladsen")
    # The picture is loaded lazily (the page's load event does not wait for it): wait until
    # the browser has it, and it must be a real picture.
    picture.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete", arg=picture.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", picture.element_handle())
    assert_accessible(page)


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_citizen_proposes_a_project_with_a_place_and_a_picture_on_a_phone(
    page, site_settings, tmp_path
):
    budget = BudgetFactory(phase=Phase.ACCEPTING, title="Borgerbudget 2028")
    HeadingFactory(
        group=GroupFactory(budget=budget, name="Hele kommunen"),
        name="Hele kommunen",
        geojson=_geometry(MUNICIPALITY),
    )
    centre = HeadingFactory(
        group=GroupFactory(budget=budget, name="Bydele"),
        name="Midtbyen",
        geojson=_geometry(TOWN_CENTRE),
    )
    user = UserFactory()
    _log_in(page, user)
    page.goto(budget.get_absolute_url())
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Propose a project").click()
    assert_accessible(page)

    # Tap the map inside the town centre: the place and the heading are filled in.
    areas = [parse_geometry(_geometry(r)) for r in (MUNICIPALITY, TOWN_CENTRE)]
    x, y = Projection.fit(areas).xy(9.615, 55.952)
    svg = page.locator("svg[data-map-picker]")

    def tap_map() -> None:
        svg.scroll_into_view_if_needed()
        screen = svg.evaluate(
            """(svg, [x, y]) => { const box = svg.getBoundingClientRect(), v = svg.viewBox.baseVal;
                 return [box.left + (x - v.x) * box.width / v.width,
                         box.top + (y - v.y) * box.height / v.height]; }""",
            [x, y],
        )
        page.touchscreen.tap(screen[0], screen[1])

    tap_map()
    assert page.locator("select[name=heading]").input_value() == str(centre.pk)
    latitude = float(page.locator("input[name=latitude]").input_value())
    longitude = float(page.locator("input[name=longitude]").input_value())
    assert abs(latitude - 55.952) < 0.001 and abs(longitude - 9.615) < 0.001
    assert "places-map-marker-off" not in page.locator("[data-map-marker]").get_attribute("class")
    assert page.locator("[data-map-status]").inner_text() == "The place is marked on the map."
    # The mark can be taken away again, and put back.
    page.get_by_role("button", name="Remove the mark from the map").click()
    assert page.locator("input[name=latitude]").input_value() == ""
    assert not page.get_by_role("button", name="Remove the mark from the map").is_visible()
    tap_map()

    page.locator("input[name=title]").fill("Bænke ved torvet")
    page.locator("textarea[name=description]").fill("Fire bænke, så ældre kan hvile sig.")
    page.locator("input[name=location_description]").fill("Torvet, ved springvandet")
    photo = tmp_path / "torvet.jpg"
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "#7cb85a").save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    page.locator("input[name=image]").set_input_files(str(photo))
    page.locator("input[name=image_alt]").fill("Torvet i dag, uden bænke")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the project").click()

    assert "Your project is submitted" in page.content()
    project = Project.objects.get(title="Bænke ved torvet")
    assert project.heading == centre and abs(place_of(project).latitude - 55.952) < 0.001
    picture = page.locator("main .attachments-gallery img")
    assert picture.get_attribute("alt") == "Torvet i dag, uden bænke"
    # Loaded lazily (the page's load event does not wait for it): wait until the browser has it.
    picture.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete", arg=picture.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", picture.element_handle()) == 1600
    assert page.locator("svg circle.places-map-point").count() == 1
    assert "Submitted" in page.locator(".budget-history").inner_text()
    assert_accessible(page)


def test_a_valuator_assesses_a_project_and_puts_it_on_the_ballot(
    page, site_settings, start_of_a_totp_step
):
    heading = HeadingFactory(name="Midtbyen", amount=300_000, group__budget__phase=Phase.VALUATING)
    budget = heading.group.budget
    author = UserFactory()
    project = Project.objects.create(
        heading=heading, title="Lys i gyden", description="Lamper.", author=author
    )
    staff = StaffFactory(role=Role.VALUATOR)
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get_or_create(name=Role.EDITOR.value)[0])
    ValuatorAssignment.objects.create(project=project, valuator=staff)  # asked to assess it
    secret = with_totp(staff)
    _log_in(page, staff, secret)

    page.goto(budget.get_absolute_url())
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Staff: assess projects and decide the ballot").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Assess Lys i gyden").click()
    assert_accessible(page)

    page.get_by_label("Yes, it is feasible").check()
    page.locator("textarea[name=feasibility_explanation]").fill("Gyden er kommunal vej.")
    page.locator("input[name=price]").fill("60000")
    page.locator("textarea[name=price_explanation]").fill("Fire lamper og kabler.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the assessment").click()
    assert "The assessment is saved." in page.content()
    row = page.locator("tr", has_text="Lys i gyden")
    assert row.locator("[data-status]").inner_text() == "Feasible"
    assert_accessible(page)

    row.locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Put the chosen projects on the ballot").click()
    assert "1 project is updated." in page.content()
    assert page.locator("tr", has_text="Lys i gyden").locator("[data-status]").inner_text() == (
        "On the ballot"
    )

    # The editor opens the vote from the phases page, with its dates.
    with page.expect_navigation():
        page.get_by_role("link", name="Phases and dates").click()
    assert_accessible(page)
    page.get_by_label("Current phase").select_option("balloting")
    page.get_by_label("Voting: ends").fill("2027-05-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the phases").click()
    assert "The phases are saved." in page.content()
    assert_accessible(page)

    # Citizens see the history with the public explanations.
    page.goto(project.get_absolute_url())
    history = page.locator(".budget-history").inner_text()
    assert "Feasibility assessed" in history and "Gyden er kommunal vej." in history
    assert "Price set" in history and "Ballot decided" in history
    assert_accessible(page)
    budget.refresh_from_db()
    assert budget.phase == Phase.BALLOTING


def test_a_citizen_follows_a_project_and_its_budget_without_leaving_the_page(page, site_settings):
    from samskab.budgets.tests.factories import ProjectFactory
    from samskab.follows.models import Follow

    project = ProjectFactory(title="Bænke ved søen")
    budget = project.heading.group.budget
    citizen = UserFactory()
    _log_in(page, citizen)
    page.goto(project.get_absolute_url())
    page.evaluate("() => { window.stayed = true; }")
    page.get_by_role("button", name="Follow this project").click()
    # htmx swaps the button in place: the same page, now saying so.
    page.get_by_role("button", name="Stop following").wait_for()
    assert page.evaluate("() => window.stayed === true")
    assert "You follow this project" in page.locator("main .follow-button").inner_text()
    assert_accessible(page)
    page.goto(budget.get_absolute_url())
    page.get_by_role("button", name="Follow this budget").click()
    page.get_by_role("button", name="Stop following").wait_for()
    assert {f.target for f in Follow.objects.filter(user=citizen)} == {project, budget}


def test_with_a_tile_server_the_map_is_drawn_over_its_tiles(page, site_settings, live_server):
    # A loopback stand-in for a tile server: every tile is the same small picture.
    budget = budgets_demo_load()
    tile = "/static/vendor/leaflet-1.9.4/images/layers.png"
    site_settings.map_tile_url = f"{live_server.url}{tile}?z={{z}}&x={{x}}&y={{y}}"
    site_settings.map_tile_attribution = "Testkort <b>fed</b>"
    site_settings.save()
    page.goto(f"/borgerbudget/{budget.pk}/kort/")
    page.wait_for_selector(".leaflet-tile-loaded")
    assert page.locator("svg.places-map-svg").is_hidden()
    # The attribution is shown as the text typed in the site settings, never as HTML.
    assert "Testkort <b>fed</b>" in page.locator(".leaflet-control-attribution").inner_text()
    # Two areas and eleven projects, and the list next to the map is still there.
    assert page.locator(".places-map-tiles path.leaflet-interactive").count() == 13
    assert page.locator("main ul li a[href*='/projekt/']").count() == 11
    assert_accessible(page)


def test_a_keyboard_user_marks_the_place_with_the_arrow_keys(page, site_settings):
    budget = BudgetFactory(phase=Phase.ACCEPTING, title="Borgerbudget 2028")
    HeadingFactory(
        group=GroupFactory(budget=budget, name="Hele kommunen"),
        name="Hele kommunen",
        geojson=_geometry(MUNICIPALITY),
    )
    _log_in(page, UserFactory())
    page.goto(f"/borgerbudget/{budget.pk}/nyt-projekt/")
    tab_to(page, "svg[data-map-picker]")
    assert page.locator("input[name=latitude]").input_value() == ""
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    latitude = float(page.locator("input[name=latitude]").input_value())
    longitude = float(page.locator("input[name=longitude]").input_value())
    # From the middle of the map: a little east and further north.
    assert 55.95 < latitude < 56.02 and 9.60 < longitude < 9.65
    assert "places-map-marker-off" not in page.locator("[data-map-marker]").get_attribute("class")
    assert page.locator("[data-map-status]").inner_text() == "The place is marked on the map."
    assert_accessible(page)
