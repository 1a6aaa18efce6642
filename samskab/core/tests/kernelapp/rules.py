import rules

from samskab.accounts.roles import is_verified_resident


@rules.predicate
def idea_is_open(user, idea) -> bool:
    return idea is not None and idea.is_open


# Only signed-in people comment, and only while the idea is open; following needs no rule
# (anyone who may see the idea may follow it).
rules.add_perm("kernelapp.comment_idea", rules.is_authenticated & idea_is_open)
# Pictures, documents and the place: signed-in people, while the idea is open. Removing
# needs no rule (the person who added it, while they still may add).
rules.add_perm("kernelapp.attach_idea", rules.is_authenticated & idea_is_open)
rules.add_perm("kernelapp.locate_idea", rules.is_authenticated & idea_is_open)
# Supports: verified residents only, while the idea is open (what proposals will need).
rules.add_perm("kernelapp.support_idea", is_verified_resident & idea_is_open)
# Reports: no rule, so anyone who may see the idea may report it.
