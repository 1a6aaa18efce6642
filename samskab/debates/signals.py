"""A comment on a debate changed (posted, moderated, deleted): count the debate's again
after the transaction commits, so the hot score and "most commented" follow."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction


def comment_changed(sender, instance, **kwargs) -> None:
    from samskab.debates.models import Debate
    from samskab.debates.services import debate_comments_changed

    if instance.content_type_id != ContentType.objects.get_for_model(Debate).pk:
        return
    debate_id = instance.object_id
    transaction.on_commit(lambda: debate_comments_changed(debate_id=debate_id))
