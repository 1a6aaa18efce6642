"""A comment on a passage changed (posted, moderated, deleted): its passage's count follows
in the same transaction (one UPDATE of one row)."""

from django.contrib.contenttypes.models import ContentType


def comment_changed(sender, instance, **kwargs) -> None:
    from samskab.hearings.models import Passage
    from samskab.hearings.services import passage_recount

    if instance.content_type_id != ContentType.objects.get_for_model(Passage).pk:
        return
    passage_recount(passage_id=instance.object_id)
