"""A deleted comment's picture leaves the disk too, once the deletion has committed.

Comments are deleted in bulk when their target goes (core.targets), so this cannot live in a
service.
"""

from django.db import transaction


def comment_file_delete(sender, instance, **kwargs) -> None:
    if instance.image:
        storage, name = instance.image.storage, instance.image.name
        transaction.on_commit(lambda: storage.delete(name))
