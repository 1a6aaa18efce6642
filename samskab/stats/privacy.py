"""What the statistics hold, for the privacy page: no personal data, said plainly."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe


def retention_text() -> str:
    from samskab.stats.models import stats_settings

    try:
        days = stats_settings().retention_days
    except Exception:  # the table may not exist yet (before migrate)
        days = 30
    return str(
        _("Single events %(days)s days, then only totals per minute and day, which name no one.")
        % {"days": days}
    )


def describe_data() -> None:
    describe(
        PersonalData(
            key="stats",
            what=_(
                "Statistics of watching meetings: while a video plays, the player tells this "
                "site every 15 seconds where in the recording you are, and when you start, "
                "jump to an agenda item, share, or load the player on another site (which "
                "site). No account, IP address or cookie is stored with it: only a code for "
                "your browser that changes every day, so that viewers can be counted for a "
                "day and never followed from one day to the next. Nothing goes to any third "
                "party."
            ),
            purpose=_(
                "To tell the council how many watch, what, for how long and how they take "
                "part, without a third-party tracker."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=retention_text,
            on_deletion=_("Nothing to delete: the statistics cannot be linked to you."),
            not_exported=_("it cannot be linked to you or your account."),
            fields=("stats.event.viewer", "stats.event.session"),
            order=90,
        ),
    )
