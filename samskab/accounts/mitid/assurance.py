"""What a MitID login tells the rest of Samskab about a person.

A MitID login proves who the person is, at the assurance level in `acr`; it does not prove
that they live in the municipality, so it does not by itself make them a verified resident.
"""

from allauth.socialaccount.models import SocialAccount

from samskab.accounts.mitid.config import PROVIDER_ID


def mitid_account(user) -> SocialAccount | None:
    """The person's MitID link (uid is the broker's pseudonymous subject), if they have one."""
    if not user.is_authenticated:
        return None
    return SocialAccount.objects.filter(user_id=user.pk, provider=PROVIDER_ID).first()


def mitid_assurance(user) -> str | None:
    """The assurance level (acr) of the person's latest MitID login, or None."""
    account = mitid_account(user)
    if account is None:
        return None
    acr = (account.extra_data or {}).get("id_token", {}).get("acr")
    return acr if isinstance(acr, str) else None
