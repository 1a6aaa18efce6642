"""MitID login, end to end, against a fake broker on loopback.

Each test drives the real flow: our login view redirects to the broker's /authorize, the
broker redirects back with a code, and our callback fetches the token, the keys and userinfo
from the broker over HTTP.
"""

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from samskab.accounts.mitid.assurance import mitid_assurance
from samskab.accounts.mitid.config import mitid_socialaccount_providers
from samskab.accounts.models import User, VerificationLevel
from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import (
    PASSWORD,
    StaffFactory,
    UserFactory,
    totp_code,
    with_totp,
)
from samskab.accounts.tests.fake_oidc import HIGH, LOW, OMIT, SUBSTANTIAL, FakeOIDCProvider

# OpenID Connect with a fake MitID broker: the database only keeps the account, so once
# (conftest.py).
pytestmark = pytest.mark.one_pass(on="postgres")

CPR = "0101901234"


@pytest.fixture
def broker(settings):
    provider = FakeOIDCProvider().start()
    settings.SOCIALACCOUNT_PROVIDERS = mitid_socialaccount_providers(
        server_url=provider.issuer,
        client_id=provider.client_id,
        secret=provider.client_secret,
    )
    settings.MITID_ACCEPTED_ACR = [SUBSTANTIAL, HIGH]
    yield provider
    provider.stop()


def start_login(client) -> str:
    """Press "Log in with MitID"; returns the address of the broker's authorisation page."""
    response = client.post(reverse("mitid_login"))
    assert response.status_code == 302
    return response["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def log_in_with_mitid(client, broker: FakeOIDCProvider):
    """The whole round trip; returns our answer to the broker's redirect back."""
    authorize_url = start_login(client)
    answer = httpx.get(authorize_url, follow_redirects=False)
    assert answer.status_code == 302, broker.refusals
    return come_back(client, answer.headers["Location"])


def finish_signup(client, email="borger@example.org"):
    return client.post(reverse("socialaccount_signup"), {"email": email})


def assert_refused(response, broker: FakeOIDCProvider) -> None:
    assert response.status_code == 403
    assert "accounts/login_refused.html" in [t.name for t in response.templates]
    assert not SocialAccount.objects.exists()
    assert not User.objects.exists()
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.django_db
class TestSuccess:
    def test_it_creates_an_account_holding_the_pseudonymous_subject(self, client, broker):
        response = log_in_with_mitid(client, broker)

        # The broker gives no e-mail address, so the citizen is asked for one.
        assert response.status_code == 302
        assert response["Location"] == reverse("socialaccount_signup")
        assert not User.objects.exists()  # nothing is stored before they answer

        response = finish_signup(client)
        account = SocialAccount.objects.get()
        assert account.provider == "mitid"
        assert account.uid == broker.subject
        assert account.user.email == "borger@example.org"
        assert mitid_assurance(account.user) == SUBSTANTIAL

    def test_a_subject_with_a_run_of_digits_is_kept_as_it_is(self, client, broker):
        broker.subject = "{0f9960a0-d28d-4353-a3e2-ab0123456789}"  # Idura writes it so

        log_in_with_mitid(client, broker)
        finish_signup(client)

        assert SocialAccount.objects.get().uid == broker.subject

    def test_the_address_given_at_signup_must_be_confirmed_by_mail(self, client, broker):
        log_in_with_mitid(client, broker)
        response = finish_signup(client)

        assert response.status_code == 302
        assert response["Location"] == reverse("account_email_verification_sent")
        user = User.objects.get()
        assert user.verification_level == VerificationLevel.ACCOUNT
        assert not EmailAddress.objects.get(user=user).verified
        assert len(mail.outbox) == 1

        key_url = next(w for w in mail.outbox[0].body.split() if "/confirm-email/" in w)
        client.post(urlsplit(key_url).path)
        user.refresh_from_db()
        assert user.verification_level == VerificationLevel.EMAIL

    def test_mitid_does_not_by_itself_make_a_verified_resident(self, client, broker):
        broker.acr = HIGH
        log_in_with_mitid(client, broker)
        finish_signup(client)

        user = User.objects.get()
        assert not user.is_resident_verified
        assert mitid_assurance(user) == HIGH

    def test_a_returning_citizen_is_logged_in_to_the_same_account(self, client, broker):
        user = UserFactory()
        SocialAccount.objects.create(user=user, provider="mitid", uid=broker.subject)

        response = log_in_with_mitid(client, broker)

        assert response.status_code == 302
        assert response.wsgi_request.user == user
        assert SocialAccount.objects.count() == 1

    def test_a_citizen_logged_in_by_email_can_add_mitid_to_their_account(self, client, broker):
        user = UserFactory()
        client.force_login(user)
        response = client.post(reverse("mitid_login"), {"process": "connect"})
        answer = httpx.get(response["Location"], follow_redirects=False)

        asked = come_back(client, answer.headers["Location"])

        # Linking a login method is a sensitive change: the password is asked for first.
        assert asked["Location"].startswith(reverse("account_reauthenticate"))
        assert not SocialAccount.objects.exists()
        client.post(asked["Location"], {"password": PASSWORD})
        account = SocialAccount.objects.get()
        assert account.user == user
        assert account.uid == broker.subject

    def test_a_staff_member_logging_in_with_mitid_is_still_asked_for_the_code(self, client, broker):
        staff = StaffFactory(role=Role.MODERATOR)
        secret = with_totp(staff)
        SocialAccount.objects.create(user=staff, provider="mitid", uid=broker.subject)

        response = log_in_with_mitid(client, broker)

        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert client.session["_auth_user_id"] == str(staff.pk)

    def test_logging_in_gives_a_new_session_key(self, client, broker):
        user = UserFactory()
        SocialAccount.objects.create(user=user, provider="mitid", uid=broker.subject)
        authorize_url = start_login(client)
        key_before = client.session.session_key

        answer = httpx.get(authorize_url, follow_redirects=False)
        come_back(client, answer.headers["Location"])

        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.session.session_key != key_before
        assert not Session.objects.filter(session_key=key_before).exists()

    def test_it_sends_nonce_pkce_and_the_accepted_assurance_levels(self, client, broker):
        log_in_with_mitid(client, broker)

        asked = broker.authorize_requests[0]
        assert len(asked["nonce"]) >= 32
        assert asked["code_challenge_method"] == "S256"
        assert asked["acr_values"].split() == [SUBSTANTIAL, HIGH]
        assert asked["scope"] == "openid"
        assert broker.token_requests[0]["code_verifier"]
        assert broker.refusals == []

    def test_a_visitor_cannot_lower_the_level_or_widen_the_scope(self, client, broker):
        response = client.post(
            reverse("mitid_login") + f"?auth_params=acr_values%3D{LOW}&scope=profile,ssn"
        )

        asked = parse_qs(urlsplit(response["Location"]).query)
        assert asked["acr_values"] == [f"{SUBSTANTIAL} {HIGH}"]
        assert asked["scope"] == ["openid"]


@pytest.mark.django_db
class TestRefusals:
    def test_it_refuses_a_login_below_the_accepted_assurance_level(self, client, broker):
        broker.acr = LOW
        response = log_in_with_mitid(client, broker)
        assert_refused(response, broker)
        assert b"assurance level" in response.content

    def test_it_refuses_a_login_without_an_assurance_level(self, client, broker):
        broker.id_token_claims = {"acr": OMIT}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_with_another_nonce(self, client, broker):
        broker.id_token_claims = {"nonce": "a-nonce-from-another-login-0123456789"}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_without_a_nonce(self, client, broker):
        broker.id_token_claims = {"nonce": OMIT}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_for_another_client(self, client, broker):
        broker.id_token_claims = {"aud": "another-service"}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_for_several_clients_without_azp(self, client, broker):
        broker.id_token_claims = {"aud": [broker.client_id, "another-service"]}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_authorised_for_another_party(self, client, broker):
        broker.id_token_claims = {"azp": "another-service"}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_from_another_issuer(self, client, broker):
        broker.id_token_claims = {"iss": "https://evil.example"}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_an_expired_token(self, client, broker):
        import time

        broker.id_token_claims = {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}
        response = log_in_with_mitid(client, broker)
        assert_refused(response, broker)
        assert b"expired" in response.content

    def test_it_refuses_a_token_signed_with_another_key(self, client, broker):
        broker.sign_with_stranger_key = True
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_token_naming_an_unknown_key(self, client, broker):
        broker.header_overrides = {"kid": "not-a-broker-key"}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_subject_that_is_a_cpr_number(self, client, broker):
        broker.subject = "010190-1234"
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_userinfo_about_another_person(self, client, broker):
        broker.userinfo_claims = {"sub": "someone-else"}
        assert_refused(log_in_with_mitid(client, broker), broker)

    def test_it_refuses_a_callback_with_a_forged_state(self, client, broker):
        authorize_url = start_login(client)
        answer = httpx.get(authorize_url, follow_redirects=False)
        callback = answer.headers["Location"].replace("state=", "state=forged")

        response = come_back(client, callback)

        assert response.status_code == 401
        assert not User.objects.exists()

    def test_it_refuses_a_callback_without_a_login_started_here(self, client, broker):
        authorize_url = start_login(client)
        answer = httpx.get(authorize_url, follow_redirects=False)
        client.cookies.clear()  # another browser

        response = come_back(client, answer.headers["Location"])

        assert response.status_code == 401
        assert not User.objects.exists()

    def test_it_refuses_a_broker_whose_discovery_names_another_issuer(
        self, client, broker, settings
    ):
        settings.SOCIALACCOUNT_PROVIDERS = mitid_socialaccount_providers(
            server_url=broker.issuer.replace("127.0.0.1", "localhost"),
            client_id=broker.client_id,
            secret=broker.client_secret,
        )
        response = client.post(reverse("mitid_login"))
        assert response.status_code == 403
        assert "accounts/login_refused.html" in [t.name for t in response.templates]
        assert broker.authorize_requests == []

    def test_a_broker_that_is_down_gets_the_error_page_not_a_crash(self, client, broker):
        broker.stop()
        response = client.post(reverse("mitid_login"))
        assert response.status_code == 401
        assert not User.objects.exists()


@pytest.mark.django_db
class TestNoCPRStored:
    CPR_CLAIMS = {
        "dk.cpr": CPR,
        "mitid.cpr": "010190-1234",
        "cprNumberIdentifier": CPR,
        "nin": CPR,
        "note": f"Person {CPR}",
    }

    def test_cpr_claims_are_stripped_from_the_account(self, client, broker):
        broker.id_token_claims = dict(self.CPR_CLAIMS)
        broker.userinfo_claims = {**self.CPR_CLAIMS, "identity": {"cpr": CPR, "idp": "mitid"}}

        log_in_with_mitid(client, broker)
        finish_signup(client)

        stored = json.dumps(SocialAccount.objects.get().extra_data)
        assert CPR not in stored
        assert "0101901234" not in stored.replace("-", "")
        assert SUBSTANTIAL in stored  # the assurance level is kept
        assert '"idp": "mitid"' in stored  # and harmless claims

    def test_no_cpr_number_waits_in_the_session_during_signup(self, client, broker):
        broker.id_token_claims = dict(self.CPR_CLAIMS)
        broker.userinfo_claims = dict(self.CPR_CLAIMS)

        log_in_with_mitid(client, broker)  # the pending signup is kept in the session

        for session in Session.objects.all():
            assert CPR not in json.dumps(session.get_decoded()).replace("-", "")


@pytest.mark.django_db
class TestLoginPage:
    def test_it_lists_mitid_when_a_broker_is_configured(self, client, broker):
        response = client.get(reverse("account_login"))
        assert reverse("mitid_login").encode() in response.content

    def test_it_does_not_list_mitid_when_no_broker_is_configured(self, client, settings):
        settings.SOCIALACCOUNT_PROVIDERS = {}
        response = client.get(reverse("account_login"))
        assert response.status_code == 200
        assert reverse("mitid_login").encode() not in response.content

    def test_the_mitid_login_is_not_found_without_a_broker(self, client, settings):
        settings.SOCIALACCOUNT_PROVIDERS = {}
        assert client.post(reverse("mitid_login")).status_code == 404


@pytest.mark.django_db
class TestResidenceFromTheBroker:
    """The broker's CPR claim (released with the municipality's agreement) is matched
    against the census during the login, as NemLog-in's attribute is (test_login_nemlogin)."""

    def test_a_cpr_claim_in_the_census_verifies_the_resident(self, client, broker):
        from samskab.accounts.tests.factories_census import import_census

        import_census(("010190-1234", "1990-01-01", "8000"))
        user = UserFactory()
        SocialAccount.objects.create(user=user, provider="mitid", uid=broker.subject)
        broker.id_token_claims = {"dk.cpr": CPR}

        log_in_with_mitid(client, broker)

        user.refresh_from_db()
        assert user.is_resident_verified
        for session in Session.objects.all():
            assert CPR not in json.dumps(session.get_decoded())

    def test_without_a_cpr_claim_nothing_changes(self, client, broker):
        user = UserFactory()
        SocialAccount.objects.create(user=user, provider="mitid", uid=broker.subject)

        log_in_with_mitid(client, broker)

        user.refresh_from_db()
        assert not user.is_resident_verified

    def test_an_organisation_login_names_the_organisation(self, client, broker):
        user = UserFactory()
        SocialAccount.objects.create(user=user, provider="mitid", uid=broker.subject)
        broker.id_token_claims = {"nemlogin.cvr": "12345678", "nemlogin.org_name": "Forening"}

        log_in_with_mitid(client, broker)

        user.refresh_from_db()
        assert (user.organisation_cvr, user.public_name) == ("12345678", "Forening")

    def test_an_organisation_without_cvr_is_refused(self, client, broker):
        broker.id_token_claims = {"nemlogin.org_name": "Forening"}
        assert_refused(log_in_with_mitid(client, broker), broker)


@pytest.mark.django_db
class TestStepUpThroughTheBroker:
    """Step-up (identity.step_up_redirect) through the OpenID Connect broker when NemLog-in
    is not set up: acr_values name the level in the broker's own words, the ID token must
    be at that level or higher, and the session then holds the level."""

    @pytest.fixture(autouse=True)
    def _only_the_broker(self, settings, broker):
        settings.NEMLOGIN_SIMULATOR = False
        settings.NEMLOGIN_IDP_METADATA = ""
        settings.MITID_OIDC_BROKER = "nsis"
        broker.acr_as_asked = True

    def _step_up(self, client, level: str):
        from samskab.accounts.identity import step_up_url

        url = step_up_url(level, "/afstemning/")
        assert url.startswith(reverse("mitid_login"))
        response = client.post(url)
        assert response.status_code == 302
        answer = httpx.get(response["Location"], follow_redirects=False)
        assert answer.status_code == 302, broker.refusals
        return come_back(client, answer.headers["Location"])

    def _citizen(self, client, broker):
        user = UserFactory()
        SocialAccount.objects.create(user=user, provider="mitid", uid=broker.subject)
        client.force_login(user)
        return user

    def test_a_step_up_asks_for_the_level_and_the_session_gets_it(self, client, broker):
        from samskab.accounts.identity import session_assurance

        self._citizen(client, broker)
        response = self._step_up(client, "high")

        asked = broker.authorize_requests[-1]
        assert asked["acr_values"] == HIGH
        assert response.status_code == 302 and response["Location"] == "/afstemning/"
        assert session_assurance(response.wsgi_request) == "high"

    def test_a_step_up_refuses_a_login_below_the_level_asked(self, client, broker):
        self._citizen(client, broker)
        broker.acr_as_asked = False
        broker.acr = SUBSTANTIAL  # the broker ignores the request and answers lower

        response = self._step_up(client, "high")

        assert response.status_code == 403
        assert "not at a high enough assurance level" in response.content.decode()

    def test_a_visitor_cannot_lower_a_step_up_below_the_sites_levels(self, client, broker):
        self._citizen(client, broker)
        response = client.post(reverse("mitid_login") + "?level=low")

        # The lowest of MITID_ACCEPTED_ACR is asked for instead, and a low answer refused.
        assert parse_qs(urlsplit(response["Location"]).query)["acr_values"] == [SUBSTANTIAL]
        broker.acr_as_asked = False
        broker.acr = LOW
        answer = httpx.get(response["Location"], follow_redirects=False)
        assert come_back(client, answer.headers["Location"]).status_code == 403

    @pytest.mark.parametrize(
        ("broker_name", "asked"),
        [
            ("idura", "urn:grn:authn:dk:mitid:substantial"),
            ("signicat", "loa:substantial"),
            ("nsis", SUBSTANTIAL),
        ],
    )
    def test_each_broker_is_asked_in_its_own_words(
        self, client, broker, settings, broker_name, asked
    ):
        from samskab.accounts.identity import session_assurance
        from samskab.accounts.mitid.levels import broker_acr

        settings.MITID_OIDC_BROKER = broker_name
        settings.MITID_ACCEPTED_ACR = broker_acr(broker_name)
        self._citizen(client, broker)

        response = self._step_up(client, "substantial")

        assert broker.authorize_requests[-1]["acr_values"] == asked
        assert session_assurance(response.wsgi_request) == "substantial"

    def test_the_vote_notice_and_redirect_point_at_the_broker(self, rf, settings):
        from django.contrib.sessions.backends.cache import SessionStore

        from samskab.accounts.identity import step_up_notice

        request = rf.get("/")
        request.session = SessionStore()
        notice = step_up_notice(request, "substantial", next_url="/x/")
        assert notice is not None and notice["missing"]
        assert notice["url"].startswith(reverse("mitid_login") + "?level=substantial")


@pytest.mark.django_db
def test_the_login_page_lets_its_form_lead_on_to_the_broker(client, broker):
    # The "Continue" form is answered with a redirect to the broker's /authorize; browsers
    # follow it only if the CSP's form-action names the broker's origin.
    response = client.get(reverse("mitid_login"), {"level": "substantial"})
    assert response.status_code == 200
    form_action = next(
        d for d in response["Content-Security-Policy"].split(";") if "form-action" in d
    )
    assert broker.issuer in form_action
