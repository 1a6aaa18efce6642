"""The proposals' counters follow rows written by the kernel: a support added or taken
back (in its transaction), a comment posted or moderated (after commit)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction


def _is_proposal(instance) -> bool:
    from samskab.proposals.models import Proposal

    return instance.content_type_id == ContentType.objects.get_for_model(Proposal).pk


def support_saved(sender, instance, created=False, **kwargs) -> None:
    from samskab.proposals.services import support_counted

    if created and _is_proposal(instance):
        support_counted(proposal_id=instance.object_id, step=1)


def support_deleted(sender, instance, **kwargs) -> None:
    from samskab.proposals.services import support_counted

    if _is_proposal(instance):
        support_counted(proposal_id=instance.object_id, step=-1)


def comment_changed(sender, instance, **kwargs) -> None:
    from samskab.proposals.services import proposal_comments_changed

    if not _is_proposal(instance):
        return
    proposal_id = instance.object_id
    transaction.on_commit(lambda: proposal_comments_changed(proposal_id=proposal_id))
