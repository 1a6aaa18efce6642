"""Bearer-token authentication for the API (django-ninja)."""

from ninja.security import HttpBearer

from samskab.api.tokens import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer smk_...`; the request then acts as the token's user."""

    def authenticate(self, request, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api_token_auth = ApiTokenAuth()
