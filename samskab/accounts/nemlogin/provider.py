"""The NemLog-in provider: how a verified SAML login becomes an allauth social login.

The account's uid is NemLog-in's pseudonymous subject (the persistent NameID, a UUID URI);
nothing else from the assertion is stored on the account: the CPR number is matched against
the census during the login and dropped (identity.py), the organisation is put on the user.
"""

from allauth.socialaccount.providers.base import Provider, ProviderAccount
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from samskab.accounts.nemlogin.config import PROVIDER_ID


class NemLogInAccount(ProviderAccount):
    def to_str(self) -> str:
        return "MitID"


class NemLogInProvider(Provider):
    id = PROVIDER_ID
    name = "MitID"
    account_class = NemLogInAccount
    supports_redirect = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = self.app.name or self.name

    def get_login_url(self, request: HttpRequest, **kwargs) -> str:
        url = reverse("nemlogin_login")
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        from samskab.accounts.nemlogin.views import start_login

        return start_login(request, process=process, next_url=next_url, **kwargs)

    def extract_uid(self, data: dict) -> str:
        return str(data["subject"])

    def extract_extra_data(self, data: dict) -> dict:
        # The level only: no CPR number, no names.
        return {"level": data.get("level", "")}

    def extract_common_fields(self, data: dict) -> dict:
        return {}

    def extract_email_addresses(self, data: dict) -> list:
        return []


provider_classes = [NemLogInProvider]
