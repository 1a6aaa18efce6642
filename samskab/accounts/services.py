"""Every write to accounts: the census, residence verification, the profile, deletion."""

import json
from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from samskab.accounts.census import ParsedCensus, hash_identifier
from samskab.accounts.models import (
    CensusImport,
    CensusRecord,
    ResidenceVerification,
    User,
    VerificationLevel,
)
from samskab.accounts.roles import Role
from samskab.accounts.sessions import end_all_sessions
from samskab.core import privacy
from samskab.core.text import clean_text

CENSUS_BATCH_SIZE = 5000


class CensusNotReady(ValueError):
    """The parsed file has broken rows or none at all; nothing may be imported."""


class CensusBusy(RuntimeError):
    """Another import replaced the census at the same moment."""


class ResidenceRefused(Exception):
    """A residence verification that did not happen; the subclass says why."""


class CensusMismatch(ResidenceRefused):
    """No census record has these three details (which one is wrong is never told)."""


class ResidenceClaimed(ResidenceRefused):
    """The resident is already verified on another account."""


class AlreadyVerified(ResidenceRefused):
    """This account is verified already."""


@dataclass(frozen=True)
class CensusReplaced:
    census_import: CensusImport
    removed: int  # records of the previous census


def census_replace(
    *,
    census: ParsedCensus,
    file_name: str,
    created_by: User | None,
    identifier_label: str = "",
) -> CensusReplaced:
    """Make this file the census: all or nothing, the previous records gone.

    Existing residence verifications are kept even when a person is no longer in the new
    file (moved away, or a faulty extract): revoking votes already cast is a decision for
    a person, made in the admin's list of verifications outside the current census.
    """
    if not census.ok:
        raise CensusNotReady("The census has broken rows or no rows.")
    try:
        with transaction.atomic():
            # Records have no dependants and no signals, so this is one DELETE statement.
            removed, _counts = CensusRecord.objects.all().delete()
            census_import = CensusImport.objects.create(
                file_name=file_name[:255],
                created_by=created_by,
                row_count=len(census.rows),
                identifier_label=identifier_label.strip()[:60],
            )
            CensusRecord.objects.bulk_create(
                (
                    CensusRecord(
                        identifier_hash=row.identifier_hash,
                        birth_date=row.birth_date,
                        postal_code=row.postal_code,
                        census_import=census_import,
                    )
                    for row in census.rows
                ),
                batch_size=CENSUS_BATCH_SIZE,
            )
    except IntegrityError as error:
        # Two imports at once: the second one meets the first one's rows.
        raise CensusBusy("Another census import ran at the same time.") from error
    return CensusReplaced(census_import=census_import, removed=removed)


def residence_verify(
    *, user: User, identifier: str, birth_date: date, postal_code: str
) -> ResidenceVerification:
    """Verify `user` as a resident when the three details match an unclaimed census record."""
    digest = hash_identifier(identifier, pepper=settings.CENSUS_PEPPER)
    if ResidenceVerification.objects.filter(user=user).exists():
        raise AlreadyVerified
    if not CensusRecord.objects.filter(
        identifier_hash=digest, birth_date=birth_date, postal_code=postal_code
    ).exists():
        raise CensusMismatch
    # Told only after all three details matched, so guessing reveals nothing.
    if ResidenceVerification.objects.filter(identifier_hash=digest).exists():
        raise ResidenceClaimed
    with transaction.atomic():
        try:
            with transaction.atomic():
                verification = ResidenceVerification.objects.create(
                    user=user,
                    identifier_hash=digest,
                    postal_code=postal_code,
                    method=ResidenceVerification.Method.CENSUS,
                )
        except IntegrityError:
            # Lost a race: the unique indexes, not the checks above, keep one account
            # per resident and one verification per account.
            if ResidenceVerification.objects.filter(user=user).exists():
                raise AlreadyVerified from None
            raise ResidenceClaimed from None
        User.objects.filter(pk=user.pk).update(verification_level=VerificationLevel.RESIDENT)
    user.verification_level = VerificationLevel.RESIDENT
    return verification


def residence_verify_by_hash(
    *, user: User, identifier_hash: str, method: str
) -> ResidenceVerification:
    """Verify `user` as a resident from a census match made by MitID (the CPR number's keyed
    hash, computed during the login; the number itself is never here)."""
    existing = ResidenceVerification.objects.filter(user=user).first()
    if existing is not None:
        raise AlreadyVerified
    record = CensusRecord.objects.filter(identifier_hash=identifier_hash).first()
    if record is None:
        raise CensusMismatch
    if ResidenceVerification.objects.filter(identifier_hash=identifier_hash).exists():
        raise ResidenceClaimed
    with transaction.atomic():
        try:
            with transaction.atomic():
                verification = ResidenceVerification.objects.create(
                    user=user,
                    identifier_hash=identifier_hash,
                    postal_code=record.postal_code,
                    method=method,
                )
        except IntegrityError:
            if ResidenceVerification.objects.filter(user=user).exists():
                raise AlreadyVerified from None
            raise ResidenceClaimed from None
        User.objects.filter(pk=user.pk).update(verification_level=VerificationLevel.RESIDENT)
    user.verification_level = VerificationLevel.RESIDENT
    return verification


class OrganisationRefused(ValueError):
    """An organisation login without a usable CVR number."""


def account_set_organisation(*, user: User, cvr: str, name: str) -> User:
    """The account acts for an organisation (MitID Erhverv): its CVR number and name are kept
    and the name is shown on what the account writes, never the person's."""
    cvr = "".join(cvr.split())
    if not (cvr.isdigit() and len(cvr) == 8):
        raise OrganisationRefused("A CVR number has eight digits.")
    user.organisation_cvr = cvr
    user.organisation_name = clean_text(name, line=True)[:160] or f"CVR {cvr}"
    user.save(update_fields=["organisation_cvr", "organisation_name"])
    return user


def residence_verification_revoke(*, verification: ResidenceVerification) -> None:
    """Staff take a verification back (or release a deleted account's claim)."""
    with transaction.atomic():
        User.objects.filter(
            pk=verification.user_id, verification_level__gt=VerificationLevel.EMAIL
        ).update(verification_level=VerificationLevel.EMAIL)
        verification.delete()


class SecondFactorResetRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# The admin history of the account says this (LogEntry keeps the text as written).
SECOND_FACTOR_RESET_LOGGED = "Second factor reset: a new authenticator app at the next login."


def second_factor_reset(*, user: User, by: User) -> int:
    """An administrator removes a colleague's authenticators (a lost phone).

    Every second factor goes (the app, recovery codes, security keys) and every session
    ends, so the colleague logs in with their password and must set up a new authenticator
    app before any staff page opens (StaffMFAMiddleware). The reset is written in the
    admin's history of the account and the colleague is told by e-mail, so a reset they did
    not ask for does not go unnoticed. Returns how many authenticators were removed.
    """
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import CHANGE, LogEntry

    if user.pk == by.pk:
        raise SecondFactorResetRefused(
            _("You cannot reset your own second factor; ask another administrator.")
        )
    if user.is_superuser and not by.is_superuser:
        raise SecondFactorResetRefused(_("Only a superuser can reset a superuser's second factor."))
    with transaction.atomic():
        removed, _counts = Authenticator.objects.filter(user=user).delete()
        if not removed:
            raise SecondFactorResetRefused(_("This account has no second factor to reset."))
        end_all_sessions(user)
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=SECOND_FACTOR_RESET_LOGGED,
            single_object=True,
        )
        _tell_second_factor_reset(user=user, by=by)
    return removed


def _tell_second_factor_reset(*, user: User, by: User) -> None:
    if not user.email:
        return
    context = {"user": user, "by": by, "site_url": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your second factor was reset")
        body = render_to_string("accounts/email/second_factor_reset.txt", context)
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient], fail_silently=True))


def account_update_profile(*, user: User, display_name: str) -> User:
    user.display_name = clean_text(display_name, line=True)  # no bidi override (I1)
    user.save(update_fields=["display_name"])
    return user


def account_delete(*, user: User) -> None:
    """Delete a citizen's account: anonymise everything, keep a tombstone row.

    The user row stays (without anything that identifies the person) so that votes,
    supports and other rows pointing at it stay valid and counts stay correct. Every app
    anonymises what it holds through samskab.core.privacy in the same transaction.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.deleted_at is not None:
            return
        for handler in privacy.handlers():
            if handler.anonymise is not None:
                handler.anonymise(user)
        addresses = {
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        }
        _forget_login_records(addresses)
        EmailAddress.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        end_all_sessions(user)
        # The keyed hash stays so the same resident cannot verify a new account and vote
        # twice in a vote still open; the postal code goes. Staff can release the hash.
        ResidenceVerification.objects.filter(user=user).update(postal_code="")
        user.email = f"deleted-{user.pk}@invalid"
        user.display_name = ""
        user.organisation_cvr = ""
        user.organisation_name = ""
        user.set_unusable_password()  # also invalidates every session's auth hash
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        user.deleted_at = timezone.now()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()


def _forget_login_records(addresses: set[str]) -> None:
    # django-axes keeps login attempts under the e-mail address as it was typed in.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    typed_as = Q()
    for address in addresses:
        typed_as |= Q(username__iexact=address)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(typed_as).delete()


# Inviting a colleague: an administrator makes the account with its roles; the colleague
# gets an e-mail with a one-time link to choose a password, then sets up the second factor.


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-time: the token hashes the password and the last login, so it stops working
    the moment the password is chosen. It lasts PASSWORD_RESET_TIMEOUT (3 days)."""

    key_salt = "samskab.accounts.invitation"


invitation_tokens = InvitationTokenGenerator()


class InvitationRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def staff_invite(*, email: str, display_name: str, roles: list[Role], by: User) -> User:
    """Make a staff account with `roles` and no password, and e-mail the invitation."""
    if not by.has_perm("accounts.invite_staff"):
        raise PermissionDenied
    if not roles:
        raise InvitationRefused(_("Choose at least one role."))
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists() or (
        EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise InvitationRefused(
            _(
                "An account with this e-mail address exists already. Give it roles on its "
                "page in the list of people instead."
            )
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email, password=None, display_name=clean_text(display_name), is_staff=True
        )
        groups = [Group.objects.get_or_create(name=Role(role).value)[0] for role in roles]
        user.groups.set(groups)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        _log_invitation(user=user, by=by, roles=roles)
        invitation_send(user=user, by=by)
    return user


def invitation_send(*, user: User, by: User) -> None:
    """E-mail (again) the invitation of an account that has not chosen a password yet."""
    if not by.has_perm("accounts.invite_staff"):
        raise PermissionDenied
    if not invitation_open(user):
        raise InvitationRefused(_("This colleague has accepted the invitation already."))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = settings.SITE_URL + reverse(
        "accounts:invitation", args=[uid, invitation_tokens.make_token(user)]
    )
    context = {"user": user, "by": by, "link": link, "site_url": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You are invited to work on %(site)s") % {"site": settings.SITE_URL}
        body = render_to_string("accounts/email/invitation.txt", context)
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


def invitation_open(user: User) -> bool:
    """Invited, and the password not chosen yet."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


def invitation_user(uidb64: str, token: str) -> User | None:
    """The invited person of a link, or None when the link is wrong, used or too old."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
        user = User.objects.get(pk=pk)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not invitation_open(user) or not invitation_tokens.check_token(user, token):
        return None
    return user


def invitation_accept(*, user: User, password: str) -> User:
    """The colleague chose a password: it is set, and their address is confirmed (the
    link reached it). The second factor comes next (StaffMFAMiddleware asks for it)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True, primary=True
    )
    if user.verification_level < VerificationLevel.EMAIL:
        user.verification_level = VerificationLevel.EMAIL
        user.save(update_fields=["verification_level"])
    return user


def _log_invitation(*, user: User, by: User, roles: list[Role]) -> None:
    """In the account's history in the admin, as the admin's own changes are."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        action_flag=ADDITION,
        change_message=json.dumps(
            [
                {
                    "added": {
                        "name": "invitation",
                        "object": ", ".join(str(Role(r).label) for r in roles),
                    }
                }
            ]
        ),
    )
