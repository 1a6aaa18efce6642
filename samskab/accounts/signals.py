"""Reactions to account events: roles after migrations, verification level after an e-mail
is confirmed, and session bookkeeping at login."""

import time

from allauth.account.signals import email_confirmed, user_signed_up
from allauth.account.signals import user_logged_in as allauth_user_logged_in
from allauth.socialaccount.signals import social_account_added
from django.apps import apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_migrate
from django.dispatch import receiver

from samskab.accounts.middleware import SESSION_STAFF_MFA, SESSION_STARTED
from samskab.accounts.roles import holds_staff_power


@receiver(post_migrate)
def sync_roles(sender, **kwargs) -> None:
    # post_migrate is sent once per app with models, in INSTALLED_APPS order; the roles
    # need the permissions of every app, so they are synced after the last one.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if not with_models or sender is not with_models[-1]:
        return
    from django.contrib.auth.management import create_permissions

    from samskab.accounts.roles import roles_sync

    # Django creates each app's permissions in its own post_migrate handler, which for the
    # last app may run after this one.
    create_permissions(sender, verbosity=0, using=kwargs.get("using", "default"))
    roles_sync()


@receiver(email_confirmed)
def raise_verification_to_email(sender, request, email_address, **kwargs) -> None:
    from samskab.accounts.models import User, VerificationLevel

    # Never lowers a level: a verified resident who confirms a new address stays one.
    User.objects.filter(
        pk=email_address.user_id, verification_level__lt=VerificationLevel.EMAIL
    ).update(verification_level=VerificationLevel.EMAIL)


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:
    # The absolute timeout (SessionTimeoutMiddleware) counts from here, and a new login
    # must pass the staff second-factor check afresh.
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_STARTED] = int(time.time())
    request.session.pop(SESSION_STAFF_MFA, None)


@receiver(allauth_user_logged_in)
def use_mitid_login_facts(sender, request, user, **kwargs) -> None:
    # A MitID login's census match, organisation and assurance level (identity.py).
    from samskab.accounts.identity import login_facts_apply

    login_facts_apply(request, user, kwargs.get("sociallogin"), logged_in=True)


@receiver(user_signed_up)
def use_mitid_login_facts_at_signup(sender, request, user, **kwargs) -> None:
    # An account made by a MitID login is verified as a resident at once, even while its
    # e-mail address still waits for confirmation.
    from samskab.accounts.identity import login_facts_apply

    login_facts_apply(request, user, kwargs.get("sociallogin"), logged_in=False)


@receiver(social_account_added)
def use_mitid_login_facts_when_connected(sender, request, sociallogin, **kwargs) -> None:
    # A person logged in by e-mail adds MitID to their account (e.g. to verify residence).
    from samskab.accounts.identity import login_facts_apply

    login_facts_apply(request, sociallogin.user, sociallogin, logged_in=True)


def _end_sessions_when_staff_loses_totp(sender, instance, **kwargs) -> None:
    from allauth.mfa.models import Authenticator

    from samskab.accounts.sessions import end_all_sessions

    # An administrator removed a staff member's authenticator (a lost phone): sessions that
    # passed the second-factor check with it end, and the next login sets up a new one.
    if instance.type == Authenticator.Type.TOTP and holds_staff_power(instance.user):
        end_all_sessions(instance.user)


post_delete.connect(
    _end_sessions_when_staff_loses_totp,
    sender="mfa.Authenticator",
    dispatch_uid="samskab.accounts.end_sessions_when_staff_loses_totp",
)
