"""A capability that only registers (core/tests/kernelapp: ideas with locate in their
capabilities) gets a place through the generic page: words alone (a keyboard user's way),
a point, its rule, its visibility, and deletion with the idea."""

import pytest
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.places.models import Place
from samskab.places.selectors import place_of, points_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea():
    return Idea.objects.create(box=IdeaBox.objects.create(title="Byens rum"), title="Flere bænke")


def edit(obj):
    return reverse("places:edit", args=[obj._meta.label_lower, obj.pk])


def test_a_keyboard_user_places_an_idea_by_typing_the_address(client, idea):
    client.force_login(UserFactory())
    assert client.get(edit(idea)).status_code == 200
    response = client.post(edit(idea), {"address": "Torvet 1, Demoby"})
    assert response.status_code == 302
    place = place_of(idea)
    assert place.address == "Torvet 1, Demoby" and not place.has_point


def test_a_point_is_saved_and_drawn_from_its_coordinates(client, idea):
    client.force_login(UserFactory())
    client.post(edit(idea), {"address": "Søen", "latitude": "55.95", "longitude": "9.61"})
    place = place_of(idea)
    assert (place.latitude, place.longitude) == (55.95, 9.61)
    assert points_of([idea]) == [(idea, 9.61, 55.95)]


def test_half_a_point_is_refused(client, idea):
    client.force_login(UserFactory())
    response = client.post(edit(idea), {"latitude": "55.95"})
    assert response.status_code == 400
    assert "The place on the map is incomplete" in response.content.decode()
    assert not Place.objects.exists()


def test_saving_nothing_clears_the_place(client, idea):
    Place.objects.create(target=idea, address="Gammel")
    client.force_login(UserFactory())
    client.post(edit(idea), {"address": ""})
    assert place_of(idea) is None


def test_the_idea_s_own_rule_decides(client, idea):
    Idea.objects.filter(pk=idea.pk).update(is_open=False)
    client.force_login(UserFactory())
    assert client.post(edit(idea), {"address": "Torvet"}).status_code == 403
    assert not Place.objects.exists()


def test_an_idea_in_an_unpublished_box_is_not_found(client, idea):
    IdeaBox.objects.filter(pk=idea.box_id).update(is_published=False)
    client.force_login(UserFactory())
    assert client.get(edit(idea)).status_code == 404


def test_the_place_goes_with_the_idea(idea):
    Place.objects.create(target=idea, address="Torvet", latitude=55.9, longitude=9.6)
    idea.delete()
    assert not Place.objects.exists()


def test_one_place_per_target_and_a_point_is_whole(idea):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(target=idea, latitude=55.9)
    Place.objects.create(target=idea, address="Torvet")
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(target=idea, address="Igen")
