import pytest
from django.urls import reverse

from samskab.accounts.demo import accounts_demo_load
from samskab.hearings.demo import hearings_demo_part
from samskab.hearings.models import Passage, Process
from samskab.hearings.selectors import current_phase


@pytest.mark.django_db
def test_the_demo_has_a_local_plan_hearing_in_each_phase(client):
    accounts_demo_load({})
    hearings_demo_part({})
    hearings_demo_part({})  # idempotent
    processes = list(Process.objects.all())
    assert sorted(current_phase(p) for p in processes) == sorted(
        ["debate", "proposals", "draft", "hearing", "result"]
    )
    draft = next(p for p in processes if current_phase(p) == "draft")
    assert draft.versions.count() == 2
    states = set(Passage.objects.filter(process=draft).values_list("state", flat=True))
    assert states == {"exact", "approximate", "earlier"}
    result = next(p for p in processes if current_phase(p) == "result")
    assert result.answers.count() == 2 and result.answers.filter(organisation__gt="").exists()
    for process in processes:
        assert client.get(process.get_absolute_url()).status_code == 200
    assert "Stien langs åen bevares" in client.get(result.get_absolute_url()).text
    page = client.get(reverse("hearings:draft", args=[draft.pk]))
    assert page.status_code == 200 and "passage-count" in page.text
