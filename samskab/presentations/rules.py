"""Who may do what with presentations.

Editors and administrators build, publish and read the statistics; everyone sees a
published presentation (citizens play the published version only); staff who build may
preview a draft.
"""

import rules

from samskab.accounts.roles import is_administrator, is_editor

is_builder = is_editor | is_administrator


@rules.predicate
def is_published(user, presentation) -> bool:
    return presentation is not None and presentation.is_published


rules.add_perm("presentations.build_presentation", is_builder)
rules.add_perm("presentations.publish_presentation", is_builder)
rules.add_perm("presentations.view_results", is_builder)
rules.add_perm("presentations.play_presentation", is_published | is_builder)
# Pictures and PDF slide decks are attachments on the presentation (its library).
rules.add_perm("presentations.attach_presentation", is_builder)
rules.add_perm("presentations.detach_presentation", is_builder)
