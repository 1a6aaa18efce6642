import rules


@rules.predicate
def idea_is_open(user, idea) -> bool:
    return idea is not None and idea.is_open


# Only signed-in people comment, and only while the idea is open; following needs no rule
# (anyone who may see the idea may follow it).
rules.add_perm("kernelapp.comment_idea", rules.is_authenticated & idea_is_open)
