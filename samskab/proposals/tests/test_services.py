"""Making, supporting (to the threshold), retiring, messages, answers and the agenda, and
the issue's list of bad input: each refused with a clear message, nothing half saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.activity.models import Event
from samskab.follows.models import Follow
from samskab.moderation.models import RestrictedWord
from samskab.notifications.models import Notification
from samskab.proposals import selectors, services
from samskab.proposals.models import Proposal, ProposalMessage
from samskab.proposals.services import ProposalRefused
from samskab.proposals.tests.factories import AreaFactory, ProposalFactory, ResidentFactory
from samskab.supports.models import Support, SupportCount
from samskab.supports.services import support_remove
from samskab.webcasts.models import AgendaItem, Body, Meeting

pytestmark = pytest.mark.django_db


def _make(**fields):
    data = {
        "author": UserFactory(),
        "title": "Flere bænke",
        "summary": "Ti bænke ved åen",
        "text": "Det vil **hjælpe** de ældre.",
    }
    return services.proposal_create(**(data | fields))


def _meeting(**fields) -> Meeting:
    body = Body.objects.create(name="Byrådet", slug=f"byraadet-{Body.objects.count()}")
    return Meeting.objects.create(
        body=body,
        title="Byrådsmøde",
        starts_at=timezone.now() + timedelta(days=5),
        **fields,
    )


def test_a_citizen_makes_a_proposal_with_tags_area_place_and_video():
    area = AreaFactory(name="Nordbyen")
    proposal = _make(
        tags=["natur", "byliv"],
        area=area,
        video_url="https://youtu.be/dQw4w9WgXcQ",
        latitude=55.6,
        longitude=12.5,
    )
    assert "<strong>hjælpe</strong>" in proposal.text_html
    assert sorted(t.name for t in proposal.tags.all()) == ["byliv", "natur"]
    from samskab.places.selectors import place_of

    place = place_of(proposal)
    assert place.address == "Nordbyen" and place.latitude == 55.6
    assert services.video_of(proposal.video_url).provider == "youtube"
    assert proposal.state == "open"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "needs a title"),
        ({"video_url": "https://evil.example.com/v.mp4"}, "YouTube, Vimeo"),
        ({"video_url": "javascript:alert(1)"}, "YouTube, Vimeo"),
        ({"summary": ""}, "summary"),
        ({"tags": [f"t{i}" for i in range(7)]}, "at most 6"),
        ({"title": "x" * 151}, "too long"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_saved(fields, message):
    with pytest.raises(ProposalRefused, match=message):
        _make(**fields)
    assert not Proposal.objects.exists()


def test_a_restricted_word_refuses_the_proposal():
    RestrictedWord.objects.create(language="da", pattern="idiot*", action="hold")
    with pytest.raises(ProposalRefused, match="not allowed"):
        _make(text="I er idioter", language="da")
    assert not Proposal.objects.exists()


def test_supporting_twice_counts_once():
    proposal = ProposalFactory()
    resident = ResidentFactory()
    services.proposal_support(proposal=proposal, user=resident)
    with pytest.raises(ProposalRefused, match="already support"):
        services.proposal_support(proposal=proposal, user=resident)
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.count()
    # Supporting follows, so the supporter hears of the answer and the author's messages.
    assert Follow.objects.filter(user=resident, object_id=proposal.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"archived": True}, "archived"),
        ({"retired": True}, "retired"),
        ({"hidden": True}, "hidden"),
    ],
)
def test_an_archived_retired_or_hidden_proposal_takes_no_support(fields, message):
    proposal = ProposalFactory(**fields)
    with pytest.raises(ProposalRefused, match=message):
        services.proposal_support(proposal=proposal, user=ResidentFactory())
    assert not Support.objects.exists()


def test_an_unverified_person_is_told_how_to_verify():
    proposal = ProposalFactory()
    with pytest.raises(ProposalRefused, match="Verify that you live"):
        services.proposal_support(proposal=proposal, user=UserFactory())
    assert not Support.objects.exists()


def test_the_threshold_turns_it_successful_once_and_tells_author_and_followers(settings):
    settings.PROPOSALS_SUPPORTS_NEEDED = 3
    proposal = ProposalFactory()
    for _ in range(4):
        services.proposal_support(proposal=proposal, user=ResidentFactory())
    proposal.refresh_from_db()
    assert proposal.support_count == 4 and proposal.is_successful
    assert Event.objects.filter(kind="succeeded").count() == 1
    # The author and the three supporters so far (who follow it) are told.
    assert Notification.objects.filter(kind="proposals.proposal.succeeded").count() == 4


def test_the_threshold_as_a_share_of_the_census(settings):
    from samskab.accounts.models import CensusImport, CensusRecord

    settings.PROPOSALS_SUPPORTS_NEEDED_PER_MILLE = 20  # 2 %
    census = CensusImport.objects.create(file_name="x.csv", row_count=250)
    today = timezone.localdate()
    CensusRecord.objects.bulk_create(
        CensusRecord(
            identifier_hash=f"{i:064d}",
            birth_date=today.replace(year=today.year - (30 if i < 200 else 10)),
            postal_code="4000",
            census_import=census,
        )
        for i in range(250)
    )
    assert services.threshold() == 4  # 2 % of the 200 residents of 16 and over


def test_the_counter_follows_the_kernel_rows_whichever_door():
    proposal = ProposalFactory()
    resident = ResidentFactory()
    services.proposal_support(proposal=proposal, user=resident)
    support_remove(target=proposal, user=resident)
    proposal.refresh_from_db()
    assert proposal.support_count == 0
    assert SupportCount.objects.get(object_id=proposal.pk).count == 0
    assert services.proposals_recount() == 0


def test_the_author_retires_with_a_reason():
    proposal = ProposalFactory()
    with pytest.raises(ProposalRefused, match="Say why"):
        services.proposal_retire(proposal=proposal, user=proposal.author, reason=" ")
    with pytest.raises(ProposalRefused):
        services.proposal_retire(proposal=proposal, user=UserFactory(), reason="Nej")
    services.proposal_retire(proposal=proposal, user=proposal.author, reason="Løst")
    proposal.refresh_from_db()
    assert proposal.state == "retired" and proposal.retired_reason == "Løst"


def test_messages_to_supporters_are_rate_limited_screened_and_reach_them(settings):
    settings.PROPOSALS_MESSAGE_INTERVAL_DAYS = 3
    proposal = ProposalFactory()
    supporter = ResidentFactory()
    services.proposal_support(proposal=proposal, user=supporter)
    RestrictedWord.objects.create(language="da", pattern="idiot*", action="reject")
    with pytest.raises(ProposalRefused, match="not allowed"):
        services.proposal_message(proposal=proposal, user=proposal.author, text="I idioter")
    services.proposal_message(proposal=proposal, user=proposal.author, text="Tak for støtten!")
    with pytest.raises(ProposalRefused, match="once every 3 days"):
        services.proposal_message(proposal=proposal, user=proposal.author, text="Igen")
    assert ProposalMessage.objects.count() == 1
    assert Notification.objects.filter(kind="proposals.proposal.message", user=supporter).exists()
    ProposalMessage.objects.update(created_at=timezone.now() - timedelta(days=4))
    services.proposal_message(proposal=proposal, user=proposal.author, text="Nyt fra mig")
    assert ProposalMessage.objects.count() == 2
    with pytest.raises(ProposalRefused, match="Only the author"):
        services.proposal_message(proposal=proposal, user=supporter, text="Hej")


def test_staff_answer_and_the_followers_are_told():
    proposal = ProposalFactory(successful=True)
    follower = ResidentFactory()
    services.proposal_support(proposal=proposal, user=follower)
    editor = StaffFactory(role=Role.EDITOR)
    with pytest.raises(ProposalRefused, match="Choose the state"):
        services.proposal_answer(proposal=proposal, user=editor, answer="maybe", text="x")
    with pytest.raises(ProposalRefused, match="Write the official"):
        services.proposal_answer(proposal=proposal, user=editor, answer="accepted", text="")
    with pytest.raises(ProposalRefused):
        services.proposal_answer(
            proposal=proposal, user=StaffFactory(role=Role.MODERATOR), answer="accepted", text="x"
        )
    services.proposal_answer(proposal=proposal, user=editor, answer="accepted", text="Ja")
    proposal.refresh_from_db()
    assert proposal.state == "accepted" and "Ja" in proposal.answer_html
    told = set(
        Notification.objects.filter(kind="proposals.proposal.answered").values_list(
            "user_id", flat=True
        )
    )
    assert told == {proposal.author_id, follower.pk}


def test_only_a_successful_proposal_goes_on_the_agenda_and_links_both_ways():
    meeting = _meeting()
    item = AgendaItem.objects.create(meeting=meeting, number="4", title="Borgerforslag")
    editor = StaffFactory(role=Role.EDITOR)
    proposal = ProposalFactory()
    with pytest.raises(ProposalRefused, match="successful"):
        services.proposal_to_agenda(proposal=proposal, user=editor, agenda_item=item)
    Proposal.objects.filter(pk=proposal.pk).update(succeeded_at=timezone.now())
    proposal.refresh_from_db()
    services.proposal_to_agenda(proposal=proposal, user=editor, agenda_item=item)
    proposal.refresh_from_db()
    assert proposal.state == "agenda" and proposal.agenda_item == item
    assert selectors.on_agenda_of(meeting) == [proposal]
    from samskab.core import backlinks

    links = backlinks.of(meeting)
    assert [(link.url, link.anchor) for link in links] == [
        (proposal.get_absolute_url(), f"item-{item.pk}")
    ]
    treatment = selectors.treatment(proposal)
    assert not treatment.held and treatment.clip is None


def test_after_the_meeting_the_treatment_has_the_items_clip():
    from samskab.recordings.models import Clip

    meeting = _meeting(status=Meeting.Status.ENDED)
    item = AgendaItem.objects.create(meeting=meeting, number="4", title="Borgerforslag")
    proposal = ProposalFactory(successful=True, agenda_item=item, answer="agenda")
    clip = Clip.objects.create(
        meeting=meeting, title="Punkt 4", start_ms=60_000, end_ms=120_000, agenda_item=item
    )
    treatment = selectors.treatment(proposal)
    assert treatment.held and treatment.clip == clip
    assert treatment.video_url == clip.get_absolute_url()
    assert treatment.embed_url.endswith("?t=60")


def test_search_filters_and_related():
    a = _make(title="Cykelsti til skolen", tags=["trafik", "skole"])
    b = _make(title="Flere busser", tags=["trafik", "skole"])
    c = _make(title="Frugttræer", tags=["natur"])
    assert list(selectors.proposal_list(q="cykelsti")) == [a]
    # A word that is a tag finds the proposals with the tag, in no text of theirs.
    assert list(selectors.proposal_list(q="natur")) == [c]
    assert set(selectors.proposal_list(q="Skole")) == {a, b}
    assert set(selectors.proposal_list(tag="trafik")) == {a, b}
    assert selectors.related(a) == [b]
    assert list(selectors.proposal_list(state="open", q="frugttræer")) == [c]
    old = ProposalFactory(archived=True)
    assert old not in selectors.proposal_list()
    assert list(selectors.proposal_list(archived=True)) == [old]


def test_a_support_is_one_short_transaction_without_locking_the_person():
    """The unique constraint refuses a second support; the person's row is not locked (only a
    target with a per-person limit needs that), the proposal is not read locked. On
    PostgreSQL the whole support is one statement (supports.support_add_at_once); on SQLite
    its counter moves in one UPDATE that returns what the hot score needs, and the kernel's
    counter in one upsert, with no savepoints inside the support's own transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    proposal = ProposalFactory()
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    resident = ResidentFactory()
    with CaptureQueriesContext(connection) as done:
        services.proposal_support(proposal=proposal, user=resident)
    statements = [q["sql"] for q in done.captured_queries]
    assert not any('FROM "accounts_user"' in sql for sql in statements)
    assert not any("FOR UPDATE" in sql for sql in statements)
    if connection.vendor == "postgresql":
        assert len(statements) == 1, statements
        (statement,) = statements
        assert 'INSERT INTO "supports_support"' in statement
        assert 'INSERT INTO "follows_follow"' in statement
        assert 'UPDATE "proposals_proposal"' in statement
        assert 'INSERT INTO "supports_supportcount"' in statement
    else:
        assert sum("SET support_count = support_count + 1" in sql for sql in statements) == 1
        assert sum('UPDATE "proposals_proposal"' in sql for sql in statements) == 2
        assert sum('"supports_supportcount"' in sql for sql in statements) == 1
        # The test's own transaction makes the support's a savepoint: one, no others.
        assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1, statements
        assert len(statements) <= 8, statements
    proposal.refresh_from_db()
    assert proposal.support_count == 2 == Support.objects.count()
    assert SupportCount.objects.get(object_id=proposal.pk).count == 2
    assert Follow.objects.filter(user=resident, object_id=proposal.pk).exists()
    assert services.proposal_recount(proposal=proposal).hot_score == proposal.hot_score
    with pytest.raises(ProposalRefused, match="already support"):
        services.proposal_support(proposal=proposal, user=resident)
    proposal.refresh_from_db()
    assert proposal.support_count == 2 == Support.objects.count()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"retired_at": timezone.now(), "retired_reason": "Løst"}, "retired"),
        ({"hidden_at": timezone.now()}, "hidden"),
        ({"created_at": timezone.now() - timedelta(days=400)}, "archived"),
    ],
)
def test_a_proposal_closed_after_the_page_was_read_takes_no_support(change, message):
    """The caller's copy is old (read before the author retired it, a moderator hid it, or it
    aged into the archive): the database's row decides, and nothing is written, not even
    the follow."""
    proposal = ProposalFactory()
    Proposal.objects.filter(pk=proposal.pk).update(**change)
    resident = ResidentFactory()
    with pytest.raises(ProposalRefused, match=message):
        services.proposal_support(proposal=proposal, user=resident)
    assert not Support.objects.exists()
    assert not SupportCount.objects.filter(object_id=proposal.pk, count__gt=0).exists()
    assert not Follow.objects.filter(user=resident).exists()
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0


def test_a_second_support_does_not_follow_again_after_unfollowing():
    from samskab.follows.services import follow_remove

    proposal = ProposalFactory()
    resident = ResidentFactory()
    services.proposal_support(proposal=proposal, user=resident)
    follow_remove(target=proposal, user=resident)
    with pytest.raises(ProposalRefused, match="already support"):
        services.proposal_support(proposal=proposal, user=resident)
    assert not Follow.objects.filter(user=resident).exists()


def test_an_unverified_person_hears_first_that_the_proposal_is_closed():
    proposal = ProposalFactory(retired=True)
    with pytest.raises(ProposalRefused, match="retired"):
        services.proposal_support(proposal=proposal, user=UserFactory())


def test_a_proposal_over_the_threshold_but_not_successful_succeeds_at_the_next_support(settings):
    """Success is written just after the support's own statement; had that been cut off,
    the next support finds the proposal over the threshold and makes it successful."""
    settings.PROPOSALS_SUPPORTS_NEEDED = 2
    proposal = ProposalFactory()
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    Proposal.objects.filter(pk=proposal.pk).update(succeeded_at=None)  # as if cut off
    Event.objects.filter(kind="succeeded").delete()
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    proposal.refresh_from_db()
    assert proposal.is_successful and proposal.support_count == 3
    assert Event.objects.filter(kind="succeeded").count() == 1
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    assert Event.objects.filter(kind="succeeded").count() == 1


def test_the_hot_score_moved_in_the_database_is_the_one_python_computes():
    """A support moves the hot score in PostgreSQL (debates.scoring.hot_score_sql); a
    recount computes it in Python. The two agree for ages over two years and counts from
    none to a million."""
    from datetime import UTC, datetime

    from django.db import connection

    from samskab.debates import scoring

    if connection.vendor != "postgresql":
        pytest.skip("The expression is PostgreSQL's; SQLite's supports use Python's.")
    expression = scoring.hot_score_sql(created_at="c", votes="v", comments="n")
    start = datetime(2025, 3, 1, 7, 13, 5, 123457, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c, v, n, " + expression + " FROM ("  # noqa: S608  # our expression
            "  SELECT %s::timestamptz + make_interval(secs => i * 7919.123457) AS c,"
            "         (i * 37) %% 1000001 AS v, (i * 13) %% 500 AS n"
            "  FROM generate_series(0, 20000) AS i) AS cases",
            [start],
        )
        rows = cursor.fetchall()
    assert len(rows) == 20001
    wrong = [
        (created, votes, comments, score)
        for created, votes, comments, score in rows
        if score != scoring.hot_score(created_at=created, votes=votes, comments=comments)
    ]
    assert wrong == []


def test_tags_in_use_are_those_of_the_newest_public_proposals_most_used_first():
    from django.core.cache import cache

    _make(title="Cykelsti", tags=["trafik", "skole"])
    _make(title="Busser", tags=["trafik"])
    hidden = _make(title="Skjult", tags=["hemmelig"])
    Proposal.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    cache.clear()
    assert [tag.name for tag in selectors.tags_in_use()] == ["trafik", "skole"]


def test_an_old_proposal_that_succeeded_after_the_page_was_read_still_takes_supports():
    proposal = ProposalFactory(archived=True)  # the page's copy: old, not yet successful
    Proposal.objects.filter(pk=proposal.pk).update(succeeded_at=timezone.now())
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
