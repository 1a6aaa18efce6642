"""What accounts hold about a person, for the privacy page (samskab.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe

UNTIL_DELETED = _("Until you delete your account.")
DELETED = _("Deleted.")


def register() -> None:
    describe(
        PersonalData(
            key="account",
            what=_(
                "Your account: e-mail address, display name, password (only as a one-way "
                "hash), when you joined and last logged in, and your role if you work for "
                "the municipality"
            ),
            purpose=_(
                "To log you in, to send you the e-mails you ask for, and to show your name "
                "next to what you write (if you chose one)."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=UNTIL_DELETED,
            on_deletion=_(
                "Deleted. An empty account row without name or e-mail address remains, so "
                "that what you wrote and the votes you gave stay in place."
            ),
            export="account",
            fields=(
                "accounts.user.email",
                "account.emailaddress.user",
                "account.emailaddress.email",
            ),
            order=10,
        ),
        PersonalData(
            key="mitid",
            what=_("Login with MitID: the pseudonymous identifier the MitID broker gives us"),
            purpose=_(
                "To recognise you the next time you log in with MitID. We never receive or "
                "store your CPR number from MitID."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=UNTIL_DELETED,
            on_deletion=DELETED,
            export="social_logins",
            fields=("socialaccount.socialaccount.user",),
            order=11,
        ),
        PersonalData(
            key="second_factor",
            what=_(
                "Second factor: your authenticator app's secret key, recovery codes or "
                "security keys, and when they were last used"
            ),
            purpose=_(
                "To make sure it is you who logs in. Staff must have one; citizens may choose to."
            ),
            basis=LegalBasis.SECURITY,
            retention=_(
                "Until you remove it (staff: until an administrator resets it) or delete "
                "your account."
            ),
            on_deletion=DELETED,
            export="second_factors",
            fields=("mfa.authenticator.user",),
            order=12,
        ),
        PersonalData(
            key="residence",
            what=_(
                "Residence verification: that you are verified, how and when, your postal "
                "code, and a keyed hash of your identifier"
            ),
            purpose=_(
                "So that only residents take part in binding votes, and each resident with "
                "one account only. The hash cannot be turned back into your identifier "
                "without a secret key kept apart from the database."
            ),
            basis=LegalBasis.CPR,
            retention=_(
                "Until you delete your account; after that only the hash is kept (see below)."
            ),
            on_deletion=_("The postal code is deleted; the keyed hash is kept (see below)."),
            export="residence_verification",
            fields=("accounts.residenceverification.user",),
            order=13,
        ),
        PersonalData(
            key="residence_letter",
            what=_(
                "A letter with a one-time code, if you verified your residence by typing your "
                "details: when you asked, your postal code, a keyed hash of your identifier and "
                "of the code, wrong tries, and when the letter was sent and the code entered"
            ),
            purpose=_(
                "Typed details are not secret, so a code sent to your address in the census "
                "confirms that it is you. Your CPR number and the code are kept encrypted only "
                "until the municipality's mail room takes the letter, and then erased."
            ),
            basis=LegalBasis.CPR,
            retention=UNTIL_DELETED,
            on_deletion=DELETED,
            not_exported=_(
                "Not in the download: it holds nothing readable about you beyond your postal "
                "code and the dates, which your residence verification shows."
            ),
            fields=("accounts.residenceletter.user",),
            order=14,
        ),
        PersonalData(
            key="census",
            what=_(
                "The municipality's census extract: for each resident, a keyed hash of the "
                "identifier, the birth date and the postal code"
            ),
            purpose=_(
                "To check the details you enter when you verify your residence. The "
                "uploaded file itself is never saved."
            ),
            basis=LegalBasis.CPR,
            retention=_(
                "Until the municipality imports a newer census, which replaces it completely."
            ),
            on_deletion=_("Not affected: the census is the municipality's, not your account's."),
            not_exported=_(
                "It is not linked to any account; the municipality's population register "
                "holds the same details."
            ),
            fields=("accounts.censusrecord.identifier_hash", "accounts.censusrecord.birth_date"),
            order=14,
        ),
        PersonalData(
            key="sessions",
            what=_(
                "Session cookie and your list of sessions (time, browser and network "
                "address of each login)"
            ),
            purpose=_(
                "To keep you logged in, and so that you can see where you are logged in and "
                "end a session."
            ),
            basis=LegalBasis.SECURITY,
            retention=_session_retention,
            on_deletion=_("Ended and deleted; you are logged out everywhere."),
            export="sessions",
            fields=(
                "sessions.session.session_key",
                "usersessions.usersession.user",
                "usersessions.usersession.ip",
                "usersessions.usersession.user_agent",
                "usersessions.usersession.session_key",
            ),
            order=15,
        ),
        PersonalData(
            key="logins",
            what=_("Login attempts: time, network address and browser"),
            purpose=_("To stop anyone from guessing passwords."),
            basis=LegalBasis.SECURITY,
            retention=_(
                "Failed attempts are forgotten 30 minutes after the last one or when you "
                "log in; all are deleted with your account."
            ),
            on_deletion=DELETED,
            export="logins",
            fields=tuple(
                f"axes.{model}.{field}"
                for model in ("accessattempt", "accessfailurelog", "accesslog")
                for field in ("ip_address", "user_agent")
            ),
            order=16,
        ),
        PersonalData(
            key="staff_work",
            what=_(
                "For staff only: who did what in their work (changes in the admin, census "
                "imports, timeline marks, recordings, paper ballots entered and corrected, "
                "budget counts asked for, confirmed and approved, budget projects assigned "
                "for assessment and internal notes on them, moderation actions, API "
                "tokens, feedback messages assigned and answered, accounts invited, hearing "
                "drafts, processes and case files, booth shifts, totals and reconciliations)"
            ),
            purpose=_(
                "So that the municipality can account for every change made to what it "
                "publishes, and to votes."
            ),
            basis=LegalBasis.EMPLOYMENT,
            retention=_("As long as the record it belongs to is kept."),
            on_deletion=_("Kept, linked to the emptied account row."),
            not_exported=_(
                "It is the municipality's record of its own work; staff can ask the "
                "administrator for it."
            ),
            # Staff-only fields of every app, named here because roles live in accounts.
            fields=(
                "admin.logentry.user",
                "accounts.censusimport.created_by",
                "api.apitoken.user",
                "budgets.ballot.entered_by",
                "budgets.ballotconflict.officer",
                "budgets.paperballotchange.changed_by",
                "budgets.paperballotchange.entered_by",
                "budgets.tally.approved_by",
                "budgets.tally.confirmed_by",
                "budgets.tally.discarded_by",
                "budgets.tally.requested_by",
                "budgets.valuationnote.author",
                "budgets.valuatorassignment.assigned_by",
                "budgets.valuatorassignment.valuator",
                "feedback.feedbackmessage.assigned_to",
                "feedback.feedbackreply.author",
                "hearings.export.requested_by",
                "hearings.process.created_by",
                "hearings.version.created_by",
                "moderation.ban.created_by",
                "moderation.moderationlogentry.moderator",
                "moderation.trustedauthor.granted_by",
                "recordings.archivelogentry.by",
                "recordings.clip.created_by",
                "recordings.redaction.created_by",
                "recordings.upload.created_by",
                "votes.boothcount.entered_by",
                "votes.reconciliation.accepted_by",
                "votes.shift.officer",
                "webcasts.timelinemark.created_by",
            ),
            order=90,
        ),
    )


def _session_retention() -> str:
    from django.conf import settings

    return _(
        "Ends after %(idle)s hours without activity and at the latest %(absolute)s hours "
        "after you logged in, or when you log out."
    ) % {
        "idle": settings.SESSION_COOKIE_AGE // 3600,
        "absolute": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
