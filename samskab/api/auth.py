"""Authentication for the API (django-ninja): an API token, or the browser's session.

The CSRF check of session writes is not here but in `samskab.api.guard`, which runs for every
operation, with or without `auth=`, so an operation that works anonymously and also acts as
a signed-in user (a poll vote) is checked the same way.
"""

from ninja.security import HttpBearer, SessionAuth

from samskab.api.tokens import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer smk_...`; the request then acts as the token's user."""

    def authenticate(self, request, token: str):
        # `samskab.api.guard` has already checked the token of every request that has one.
        user = getattr(request, "api_token_user", None) or api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api_token_auth = ApiTokenAuth()
# The signed-in session; its writes pass the guard's CSRF check before this runs.
session_auth = SessionAuth(csrf=False)
# Signed in either way.
signed_in = [api_token_auth, session_auth]
