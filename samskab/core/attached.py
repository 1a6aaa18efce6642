"""What polls, surveys and feedback share: being attached to a meeting, to an agenda item
of it, or to neither (MISSION.md D1-D3)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingAttached(models.Model):
    """A meeting and one of its agenda items, both optional; the item implies its meeting.

    Reverse names are the class's plural (`meeting.polls`, `agenda_item.surveys`). A model
    may redeclare a field (a poll goes with its meeting) or drop `agenda_item` (= None).
    """

    meeting = models.ForeignKey(
        "webcasts.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("meeting"),
    )
    agenda_item = models.ForeignKey(
        "webcasts.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("agenda item"),
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        item = getattr(self, "agenda_item", None)  # None too where a model drops the field
        if item is None:
            return
        if self.meeting_id is None:
            self.meeting_id = item.meeting_id
        elif item.meeting_id != self.meeting_id:
            raise ValidationError(
                {"agenda_item": _("The agenda item belongs to another meeting.")},
                code="item_of_other_meeting",
            )
