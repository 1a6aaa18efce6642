"""A comment on a passage changed (posted, moderated, deleted): its passage's count follows
after the transaction commits."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction


def comment_changed(sender, instance, **kwargs) -> None:
    from samskab.hearings.models import Passage
    from samskab.hearings.services import passage_recount

    if instance.content_type_id != ContentType.objects.get_for_model(Passage).pk:
        return
    passage_id = instance.object_id
    transaction.on_commit(lambda: passage_recount(passage_id=passage_id))
