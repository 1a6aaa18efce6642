"""Opening, voting (replacement, taking back, the cap), counting and the orders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.comments.models import Comment
from samskab.comments.services import CommentError, comment_post
from samskab.debates import selectors, services
from samskab.debates.models import Debate, DebateVote
from samskab.debates.services import DebateRefused
from samskab.debates.tests.factories import AreaFactory, DebateFactory, ResidentFactory
from samskab.moderation.models import RestrictedWord

pytestmark = pytest.mark.django_db
AGREE, DISAGREE = DebateVote.Value.AGREE, DebateVote.Value.DISAGREE


def test_a_citizen_opens_a_debate_with_tags_and_an_area():
    area = AreaFactory(name="Nordbyen")
    debate = services.debate_open(
        author=UserFactory(),
        title="  Flere træer  ",
        text="Skal vi plante **flere** træer?",
        tags=services.tags_parse("Natur, by , natur"),
        area=area,
    )
    assert debate.title == "Flere træer"
    assert "<strong>flere</strong>" in debate.text_html
    assert sorted(t.name for t in debate.tags.all()) == ["by", "natur"]
    from samskab.places.selectors import place_of

    assert place_of(debate).address == "Nordbyen"


def test_a_restricted_word_refuses_the_debate_and_stores_nothing():
    RestrictedWord.objects.create(language="da", pattern="idiot*", action="hold")
    with pytest.raises(DebateRefused):
        services.debate_open(author=UserFactory(), title="Hej", text="I er idioter")
    assert not Debate.objects.exists()


def test_a_second_vote_replaces_the_first_and_one_vote_remains():
    debate = DebateFactory()
    user = ResidentFactory()
    services.debate_vote(debate=debate, user=user, value=AGREE)
    services.debate_vote(debate=debate, user=user, value=DISAGREE)
    debate.refresh_from_db()
    assert DebateVote.objects.filter(debate=debate).count() == 1
    assert (debate.agree_count, debate.disagree_count) == (0, 1)


def test_taking_a_vote_back_removes_it():
    debate = DebateFactory()
    user = UserFactory()
    services.debate_vote(debate=debate, user=user, value=AGREE)
    services.debate_vote(debate=debate, user=user, value=None)
    debate.refresh_from_db()
    assert not DebateVote.objects.exists()
    assert (debate.agree_count, debate.unverified_vote_count) == (0, 0)


def test_a_closed_debate_takes_no_vote_and_keeps_the_ones_it_has():
    debate = DebateFactory()
    user = UserFactory()
    services.debate_vote(debate=debate, user=user, value=AGREE)
    services.debate_close(debate=debate, user=StaffFactory(role=Role.MODERATOR))
    for value in (DISAGREE, None):
        with pytest.raises(DebateRefused, match="closed"):
            services.debate_vote(debate=debate, user=user, value=value)
    assert DebateVote.objects.get().value == AGREE


def test_past_the_cap_an_unverified_vote_is_refused_while_residents_still_vote(settings):
    settings.DEBATES_MAX_UNVERIFIED_VOTE_PERCENT = 50
    settings.DEBATES_UNVERIFIED_CAP_FROM_VOTES = 2
    debate = DebateFactory()
    early = [UserFactory(), UserFactory()]
    for user in early:  # below the threshold: both counted
        services.debate_vote(debate=debate, user=user, value=AGREE)
    services.debate_vote(debate=debate, user=ResidentFactory(), value=AGREE)
    services.debate_vote(debate=debate, user=ResidentFactory(), value=DISAGREE)
    # 2 of 4 unverified: a third unverified vote would make 3 of 5.
    late = UserFactory()
    with pytest.raises(DebateRefused, match="Verify that you live in the municipality"):
        services.debate_vote(debate=debate, user=late, value=AGREE)
    services.debate_vote(debate=debate, user=ResidentFactory(), value=AGREE)
    # An unverified voter who already voted may still change the vote.
    services.debate_vote(debate=debate, user=early[0], value=DISAGREE)
    debate.refresh_from_db()
    assert (debate.vote_count, debate.unverified_vote_count) == (5, 2)
    assert not DebateVote.objects.filter(user=late).exists()
    # 2 of 5: one more unverified makes 3 of 6, exactly half, allowed.
    services.debate_vote(debate=debate, user=late, value=AGREE)


def test_a_vote_moves_the_hot_score():
    debate = DebateFactory()
    before = debate.hot_score
    services.debate_vote(debate=debate, user=UserFactory(), value=DISAGREE)
    debate.refresh_from_db()
    assert debate.hot_score > before


def test_comments_count_and_heat_the_debate(django_capture_on_commit_callbacks):
    debate = DebateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_post(target=debate, body="Godt spørgsmål.", author=UserFactory())
    debate.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert debate.comment_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    # A bulk update passes no signal: the periodic recount catches it.
    assert services.debates_rescore() == 1
    debate.refresh_from_db()
    assert debate.comment_count == 0


def test_comments_are_closed_with_the_debate():
    debate = DebateFactory()
    services.debate_close(debate=debate, user=StaffFactory(role=Role.EDITOR))
    with pytest.raises(CommentError):
        comment_post(target=debate, body="For sent?", author=UserFactory())


def test_the_hot_order_puts_lively_and_new_debates_first():
    now = timezone.now()
    old_busy = DebateFactory(title="gammel og livlig", created_at=now - timedelta(days=2))
    old_quiet = DebateFactory(title="gammel og stille", created_at=now - timedelta(days=2))
    new_quiet = DebateFactory(title="ny og stille", created_at=now)
    for _ in range(30):
        services.debate_vote(debate=old_busy, user=ResidentFactory(), value=AGREE)
    services.debates_rescore()
    order = [d.title for d in selectors.debate_list(order=selectors.Order.HOT)]
    assert order == [old_busy.title, new_quiet.title, old_quiet.title]
    newest = [d.title for d in selectors.debate_list(order=selectors.Order.NEW)]
    assert newest[0] == new_quiet.title


def test_most_active_counts_the_last_week_and_most_commented_counts_comments():
    now = timezone.now()
    lively_long_ago = DebateFactory(created_at=now - timedelta(days=60))
    lively_now = DebateFactory(created_at=now - timedelta(days=60))
    for _ in range(3):
        services.debate_vote(debate=lively_long_ago, user=UserFactory(), value=AGREE)
    DebateVote.objects.filter(debate=lively_long_ago).update(updated_at=now - timedelta(days=30))
    services.debate_vote(debate=lively_now, user=UserFactory(), value=AGREE)
    active = list(selectors.debate_list(order=selectors.Order.ACTIVE))
    assert active[0] == lively_now
    Debate.objects.filter(pk=lively_long_ago.pk).update(comment_count=4)
    assert selectors.debate_list(order=selectors.Order.COMMENTED).first() == lively_long_ago


def test_filters_and_search():
    area = AreaFactory()
    school = services.debate_open(
        author=UserFactory(),
        title="Skolernes legepladser",
        text="Nye gynger",
        tags=["skole"],
        area=area,
    )
    services.debate_open(author=UserFactory(), title="Cykelstier", text="Flere stier")
    assert list(selectors.debate_list(tag="skole")) == [school]
    assert list(selectors.debate_list(area=area)) == [school]
    assert list(selectors.debate_list(q="legepladser")) == [school]
    assert list(selectors.debate_list(q="skole")) == [school]
    assert list(selectors.debate_list(q="gynger")) == [school]


def test_hidden_debates_are_not_listed():
    DebateFactory(hidden=True)
    assert list(selectors.debate_list()) == []


def test_staff_hide_needs_a_reason_and_only_moderators_hide():
    debate = DebateFactory()
    with pytest.raises(DebateRefused):
        services.debate_hide(debate=debate, user=StaffFactory(role=Role.EDITOR), reason="Spam")
    with pytest.raises(DebateRefused):
        services.debate_hide(debate=debate, user=StaffFactory(role=Role.MODERATOR), reason=" ")
    services.debate_hide(debate=debate, user=StaffFactory(role=Role.MODERATOR), reason="Spam")
    debate.refresh_from_db()
    assert debate.is_hidden and debate.hidden_reason == "Spam"


def test_a_hidden_debate_takes_no_vote_even_from_its_author():
    debate = DebateFactory(hidden=True)
    with pytest.raises(DebateRefused, match="hidden"):
        services.debate_vote(debate=debate, user=debate.author, value=AGREE)
    assert not DebateVote.objects.exists()
