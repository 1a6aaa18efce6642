"""Who may do what with comments."""

import rules

from samskab.accounts.roles import is_administrator, is_moderator


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return bool(comment is not None and user.is_authenticated and comment.author_id == user.pk)


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


rules.add_perm("comments.post_comment", is_signed_in)
rules.add_perm("comments.edit_comment", is_comment_author)
rules.add_perm("comments.delete_comment", is_comment_author | is_moderator | is_administrator)
rules.add_perm("comments.moderate_comment", is_moderator | is_administrator)
