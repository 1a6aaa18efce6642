"""Who may do what in the feedback inbox. Services and views ask the same permissions.

Editors and administrators handle the inbox: they read it, set a message's status, assign
it to a colleague and answer the sender. An answer needs an address: a message sent without
one can be handled, not answered by e-mail. Other roles and citizens see nothing of it.
"""

import rules

from samskab.accounts.roles import is_administrator, is_editor

is_feedback_handler = is_editor | is_administrator


@rules.predicate
def has_sender_address(user, feedback) -> bool:
    return feedback is not None and bool(feedback.email)


rules.add_perm("feedback.view_inbox", is_feedback_handler)
rules.add_perm("feedback.handle_feedback", is_feedback_handler)
rules.add_perm("feedback.assign_feedback", is_feedback_handler)
rules.add_perm("feedback.reply_feedback", is_feedback_handler & has_sender_address)
