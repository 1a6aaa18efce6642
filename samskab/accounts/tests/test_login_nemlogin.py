"""MitID through NemLog-in (OIOSAML 3), end to end against the fake NemLog-in.

The fake IdP (accounts/nemlogin/simulator.py, the demo's "MitID (demo)") signs and encrypts
with pysaml2 and TEST-ONLY keys. Each test drives the real flow through the views: our login
page redirects to the IdP with a signed AuthnRequest, the IdP's page answers with a form
that posts the signed, encrypted answer to our assertion consumer service, which sends the
browser on to finish the login in its own session.
"""

import json
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.census import hash_identifier
from samskab.accounts.identity import SESSION_ASSURANCE, session_assurance
from samskab.accounts.models import (
    ResidenceVerification,
    User,
    VerificationLevel,
)
from samskab.accounts.nemlogin import saml, views
from samskab.accounts.nemlogin.config import nemlogin_socialaccount_providers
from samskab.accounts.nemlogin.simulator import (
    IDP_KEY,
    OTHER_KEY,
    DemoIdentity,
    demo_identity,
)
from samskab.accounts.tests.factories import PASSWORD, UserFactory
from samskab.accounts.tests.factories_census import import_census

# SAML with a fake NemLog-in: the database only keeps the account, so once (conftest.py).
pytestmark = pytest.mark.one_pass

ANNA = demo_identity("anna")
FORENING = demo_identity("forening")
NEWCOMER = demo_identity("ny")


@pytest.fixture
def idp(settings):
    settings.NEMLOGIN_SIMULATOR = True
    settings.NEMLOGIN_IDP_METADATA = ""
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        **nemlogin_socialaccount_providers(enabled=True, name="MitID (demo)"),
    }
    fake = views.simulator()
    kept = list(fake.sp_metadata)
    yield fake
    fake.sp_metadata = kept
    fake.wrong_audience = None
    fake.sign_assertion = True
    fake.encrypt_assertion = True
    fake.signing_key = IDP_KEY


@pytest.fixture
def census():
    import_census(("010190-1234", "1990-01-01", "8000"), ("150285-4321", "1985-02-15", "8200"))


def start(client, **data) -> str:
    """Press "Log in with MitID"; returns the IdP's address with the signed AuthnRequest."""
    response = client.post(reverse("nemlogin_login"), data)
    assert response.status_code == 302
    return response["Location"]


def answer_for(idp, url: str, identity: DemoIdentity = ANNA, level: str | None = None) -> str:
    request, _relay_state = idp.read_authn_request(url)
    return idp.response(request, identity, level=level)


def post_answer(client, answer: str):
    response = client.post(reverse("nemlogin_acs"), {"SAMLResponse": answer})
    assert response.status_code == 302
    return client.get(response["Location"])


def log_in(client, idp, identity: DemoIdentity = ANNA, level: str | None = None, **data):
    return post_answer(client, answer_for(idp, start(client, **data), identity, level))


def linked_user(identity: DemoIdentity = ANNA, **kwargs) -> User:
    user = UserFactory(**kwargs)
    SocialAccount.objects.create(user=user, provider="nemlogin", uid=identity.subject)
    return user


def assert_refused(response, reason_text: str = "") -> None:
    assert response.status_code == 403
    assert "accounts/login_refused.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in response.wsgi_request.session
    assert not SocialAccount.objects.exists()
    assert not ResidenceVerification.objects.exists()
    if reason_text:
        assert reason_text in response.content.decode()


@pytest.mark.django_db
class TestLogin:
    def test_a_newcomer_gets_an_account_holding_the_pseudonym_and_is_a_resident(
        self, client, idp, census, settings
    ):
        response = log_in(client, idp)

        # NemLog-in gives no e-mail address, so the citizen is asked for one.
        assert response.status_code == 302
        assert response["Location"] == reverse("socialaccount_signup")
        assert not User.objects.exists()

        client.post(reverse("socialaccount_signup"), {"email": "anna@example.org"})
        account = SocialAccount.objects.get()
        assert account.provider == "nemlogin"
        assert account.uid == ANNA.subject
        user = account.user
        assert user.is_resident_verified
        verification = ResidenceVerification.objects.get(user=user)
        assert verification.method == ResidenceVerification.Method.MITID
        assert verification.identifier_hash == hash_identifier(
            ANNA.cpr, pepper=settings.CENSUS_PEPPER
        )
        assert verification.postal_code == "8000"
        assert not EmailAddress.objects.get(user=user).verified  # still confirmed by mail

    def test_a_returning_citizen_is_verified_as_resident_without_typing(self, client, idp, census):
        user = linked_user()

        response = log_in(client, idp)

        assert response.status_code == 302
        assert response.wsgi_request.session["_auth_user_id"] == str(user.pk)
        user.refresh_from_db()
        assert user.verification_level == VerificationLevel.RESIDENT
        assert response.wsgi_request.session[SESSION_ASSURANCE] == "substantial"
        page = client.get(reverse("accounts:profile"))
        assert "MitID has confirmed that you live in the municipality" in page.content.decode()

    def test_no_cpr_number_is_stored_anywhere(self, client, idp, census):
        linked_user()
        log_in(client, idp)

        for session in Session.objects.all():
            assert ANNA.cpr not in json.dumps(session.get_decoded())
        assert ANNA.cpr not in json.dumps(list(SocialAccount.objects.values()), default=str)
        assert ANNA.cpr not in json.dumps(list(User.objects.values()), default=str)

    def test_a_person_not_in_the_census_is_logged_in_but_not_a_resident(self, client, idp, census):
        user = linked_user(NEWCOMER)

        response = log_in(client, idp, NEWCOMER)

        assert response.wsgi_request.session["_auth_user_id"] == str(user.pk)
        user.refresh_from_db()
        assert not user.is_resident_verified
        assert not ResidenceVerification.objects.exists()
        page = client.get(reverse("accounts:profile")).content.decode()
        assert "census does not have you as a resident" in page

    def test_a_census_match_used_by_another_account_is_refused(
        self, client, idp, census, settings, caplog
    ):
        other = UserFactory()
        ResidenceVerification.objects.create(
            user=other,
            identifier_hash=hash_identifier(ANNA.cpr, pepper=settings.CENSUS_PEPPER),
            method=ResidenceVerification.Method.CENSUS,
        )
        user = linked_user()

        with caplog.at_level(logging.INFO):
            log_in(client, idp)

        user.refresh_from_db()
        assert not user.is_resident_verified
        assert ResidenceVerification.objects.get().user == other
        page = client.get(reverse("accounts:profile")).content.decode()
        assert "already used to verify another account" in page
        assert ANNA.cpr not in caplog.text and ANNA.subject not in caplog.text

    def test_an_organisation_login_puts_the_organisation_on_the_account(self, client, idp):
        client.get(reverse("account_login"))
        log_in(client, idp, FORENING)
        client.post(reverse("socialaccount_signup"), {"email": "forening@example.org"})

        user = SocialAccount.objects.get(uid=FORENING.subject).user
        assert user.organisation_cvr == "12345678"
        assert user.organisation_name == "Grundejerforeningen Søbakken"
        assert user.public_name == "Grundejerforeningen Søbakken"
        assert not user.is_resident_verified

    def test_the_authn_request_is_signed_and_asks_for_substantial(self, client, idp):
        # read_authn_request checks the redirect binding's signature against our metadata.
        request, _relay_state = idp.read_authn_request(start(client))
        context = request.requested_authn_context
        assert context.comparison == "minimum"
        assert context.authn_context_class_ref[0].text == saml.LOA_CONTEXT + "Substantial"

    def test_a_step_up_asks_for_high(self, client, idp):
        request, _relay_state = idp.read_authn_request(start(client, level="High"))
        assert request.requested_authn_context.authn_context_class_ref[0].text.endswith("High")

    def test_the_login_page_lists_mitid(self, client, idp):
        assert reverse("nemlogin_login").encode() in client.get(reverse("account_login")).content

    def test_without_nemlogin_there_is_no_login(self, client, settings):
        settings.NEMLOGIN_SIMULATOR = False
        settings.NEMLOGIN_IDP_METADATA = ""
        assert client.post(reverse("nemlogin_login")).status_code == 404


@pytest.mark.django_db
class TestRefusals:
    def test_wrong_audience(self, client, idp):
        other = idp.sp_metadata[0].replace(
            views.service_provider().entity_id, "https://another-service.example/"
        )
        idp.sp_metadata = [*idp.sp_metadata, other]
        idp.wrong_audience = "https://another-service.example/"
        assert_refused(log_in(client, idp), "could not be verified")

    def test_expired(self, client, idp):
        answer = answer_for(idp, start(client))
        # The fake NemLog-in's assertions live 5 minutes; 60 seconds of skew are allowed.
        with time_machine.travel(timezone.now() + timedelta(minutes=7)):
            assert_refused(post_answer(client, answer), "has expired")

    def test_replayed(self, client, idp):
        user = linked_user()
        answer = answer_for(idp, start(client))
        post_answer(client, answer)
        client.post(reverse("account_logout"))

        second = Client(HTTP_ACCEPT_LANGUAGE="en")  # as the client fixture (conftest.py)
        start(second)
        response = post_answer(second, answer)
        assert response.status_code == 403
        assert "already been used" in response.content.decode()
        assert "_auth_user_id" not in response.wsgi_request.session
        assert user.pk  # the first login worked

    def test_unsolicited(self, client, idp):
        answer = answer_for(idp, start(Client()))
        assert_refused(post_answer(client, answer), "does not belong to a login started here")

    def test_unsigned(self, client, idp):
        idp.sign_assertion = False
        assert_refused(log_in(client, idp))

    def test_signed_by_another_key(self, client, idp):
        idp.signing_key = OTHER_KEY
        assert_refused(log_in(client, idp))

    def test_unencrypted(self, client, idp):
        idp.encrypt_assertion = False
        assert_refused(log_in(client, idp))

    def test_wrong_level(self, client, idp):
        assert_refused(log_in(client, idp, level="Low"), "not at a high enough assurance level")

    def test_a_step_up_to_high_refuses_substantial(self, client, idp):
        answer = answer_for(idp, start(client, level="High"), ANNA, level="Substantial")
        assert_refused(post_answer(client, answer), "not at a high enough assurance level")

    def test_an_organisation_without_cvr(self, client, idp):
        nameless = DemoIdentity(
            "x",
            "X",
            "6f1c1f4e-0c4e-4b0a-9a51-3d8b2f3e0a99",
            organisation_name="Foreningen uden CVR",
        )
        assert_refused(log_in(client, idp, nameless), "CVR")

    def test_a_cpr_number_as_subject(self, client, idp):
        assert_refused(log_in(client, idp, DemoIdentity("x", "X", "0101901234")))

    def test_garbage(self, client, idp):
        start(client)
        assert_refused(post_answer(client, "bm90IHhtbA=="))

    def test_refusals_are_logged_without_personal_data(self, client, idp, caplog):
        with caplog.at_level(logging.INFO):
            log_in(client, idp, level="Low")
        assert "NemLog-in login refused: assurance" in caplog.text
        assert ANNA.subject not in caplog.text
        assert ANNA.cpr not in caplog.text

    def test_refusal_messages_are_danish(self, danish_client, idp):
        response = log_in(danish_client, idp, level="Low")
        assert "sikringsniveau" in response.content.decode()

    def test_the_simulator_is_refused_in_production(self, client, idp, settings):
        url = start(client)
        settings.PRODUCTION = True
        response = client.get(urlsplit(url).path + "?" + urlsplit(url).query)
        assert response.status_code == 403
        assert "made-up people cannot be used" in response.content.decode()


@pytest.mark.django_db
class TestMetadataAndLogout:
    def test_metadata_for_registration_publishes_both_keys(self, client, idp):
        response = client.get(reverse("nemlogin_metadata"))
        body = response.content.decode()
        assert response.status_code == 200
        sp = views.service_provider()
        assert f'entityID="{sp.entity_id}"' in body
        assert sp.acs_url in body and sp.sls_url in body
        for pair in sp.keys:
            cert = "".join(
                line for line in Path(pair.cert_file).read_text().splitlines() if "CERT" not in line
            )
            assert cert in body
        assert "Signature" in body

    def test_logging_out_ends_the_mitid_session_too(self, client, idp):
        linked_user()
        log_in(client, idp)

        response = client.post(reverse("account_logout"))
        assert response.status_code == 302
        assert reverse("nemlogin_demo_slo") in response["Location"]
        # The IdP checks our signed LogoutRequest and answers.
        idp_answer = client.get(_local(response["Location"]))
        assert idp_answer.status_code == 302
        assert reverse("nemlogin_slo") in idp_answer["Location"]
        back = client.get(_local(idp_answer["Location"]), follow=True)
        assert "logged out of MitID" in back.content.decode()
        assert "_auth_user_id" not in back.wsgi_request.session

    def _logout_answer(self, client, idp) -> str:
        """Log in as Anna, log out, and return NemLog-in's answer (not yet followed)."""
        log_in(client, idp)
        response = client.post(reverse("account_logout"))
        return client.get(_local(response["Location"]))["Location"]

    def test_a_logout_answer_to_another_browsers_request_is_refused(self, client, idp):
        linked_user()
        answer = self._logout_answer(client, idp)
        other = Client()

        response = other.get(_local(answer))

        assert response.status_code == 400
        assert "logged out of MitID" not in response.content.decode()
        # The browser that asked still gets its answer.
        assert "logged out of MitID" in client.get(_local(answer), follow=True).content.decode()

    def test_a_logout_answer_is_used_once(self, client, idp):
        linked_user()
        answer = self._logout_answer(client, idp)
        client.get(_local(answer))

        assert client.get(_local(answer)).status_code == 400

    def test_a_logout_answer_after_ten_minutes_is_refused(self, client, idp):
        linked_user()
        answer = self._logout_answer(client, idp)

        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            assert client.get(_local(answer)).status_code == 400

    def test_a_logout_answer_to_an_earlier_request_is_refused(self, client, idp):
        linked_user()
        first = self._logout_answer(client, idp)
        client.get(_local(first))
        self._logout_answer(client, idp)  # a second logout is waiting now

        assert client.get(_local(first)).status_code == 400

    def test_nemlogin_can_end_our_session(self, client, idp):
        linked_user()
        log_in(client, idp)

        response = client.get(_local(idp.logout_request_for(ANNA.subject)))

        assert response.status_code == 302
        assert reverse("nemlogin_demo_slo") in response["Location"]
        assert "_auth_user_id" not in client.session


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.django_db
class TestResidencePage:
    def test_without_the_typed_check_the_page_offers_mitid(self, client, idp, settings):
        settings.RESIDENCE_TYPED_CHECK = False
        client.force_login(UserFactory())
        page = client.get(reverse("accounts:residence_verify")).content.decode()
        assert reverse("nemlogin_login") in page
        assert 'name="identifier"' not in page

    def test_the_typed_check_is_the_municipalitys_option(self, client, idp, settings):
        settings.RESIDENCE_TYPED_CHECK = True
        client.force_login(UserFactory())
        page = client.get(reverse("accounts:residence_verify")).content.decode()
        assert 'name="identifier"' in page

    def test_a_citizen_logged_in_by_email_adds_mitid_and_becomes_a_resident(
        self, client, idp, census
    ):
        user = UserFactory()
        client.force_login(user)

        asked = log_in(client, idp, process="connect")
        # Linking a login method is a sensitive change: the password is asked for first.
        assert asked["Location"].startswith(reverse("account_reauthenticate"))
        client.post(asked["Location"], {"password": PASSWORD})

        assert SocialAccount.objects.get().user == user
        user.refresh_from_db()
        assert user.is_resident_verified


@pytest.mark.django_db
class TestStepUpKeepsTheAccount:
    """A person logged in by e-mail (or verified by letter) logs in with MitID at a process's
    level: they stay on their own account, with the level, and come back to the page."""

    def test_a_mitid_new_to_the_site_is_added_to_the_account_that_is_logged_in(
        self, client, idp, census
    ):
        user = UserFactory()
        client.force_login(user)
        asked = log_in(client, idp, level="Substantial", next="/bindende-afstemninger/")
        # Adding a login method is a sensitive change: the password again (unless the last
        # login was a few minutes ago), then on to the page the step-up was for.
        assert asked["Location"].startswith(reverse("account_reauthenticate"))
        landed = client.post(asked["Location"], {"password": PASSWORD})

        assert landed.status_code == 302 and landed["Location"] == "/bindende-afstemninger/"
        session = landed.wsgi_request.session
        assert session["_auth_user_id"] == str(user.pk)
        assert session_assurance(landed.wsgi_request) == "substantial"
        assert SocialAccount.objects.get().user == user
        user.refresh_from_db()
        assert user.is_resident_verified  # the census match of the MitID login, too
        assert User.objects.count() == 1  # no second account made on the way
        # Said in the person's words, not allauth's "third-party account".
        shown = client.get("/konto/").content.decode()
        assert "is now linked to your account" in shown

    def test_the_same_persons_mitid_logs_in_again_with_the_level(self, client, idp, census):
        user = linked_user()
        client.force_login(user)
        landed = log_in(client, idp, level="Substantial", next="/borgerbudget/")
        assert landed["Location"] == "/borgerbudget/"
        assert landed.wsgi_request.session["_auth_user_id"] == str(user.pk)
        assert session_assurance(landed.wsgi_request) == "substantial"

    def test_another_accounts_mitid_is_refused_and_the_person_stays_logged_in(
        self, client, idp, census
    ):
        linked_user()  # Anna's MitID is on someone else's account
        user = UserFactory()
        client.force_login(user)
        refused = log_in(client, idp, level="Substantial", next="/bindende-afstemninger/")

        assert refused.status_code == 403
        assert "already used by another account" in refused.content.decode()
        assert refused.wsgi_request.session["_auth_user_id"] == str(user.pk)
        assert session_assurance(refused.wsgi_request) == ""
        assert SocialAccount.objects.filter(user=user).count() == 0
        user.refresh_from_db()
        assert not user.is_resident_verified


@pytest.mark.django_db
def test_the_login_page_lets_its_form_lead_on_to_nemlogin(client, idp, settings):
    # The "Continue to MitID" form is answered with a redirect to NemLog-in's single sign-on
    # service; browsers follow it only if the CSP's form-action names that origin.
    settings.SITE_URL = "https://deltag.testby.example"
    response = client.get(reverse("nemlogin_login"), {"level": "Substantial", "next": "/"})
    form_action = next(
        d for d in response["Content-Security-Policy"].split(";") if "form-action" in d
    )
    assert "https://deltag.testby.example" in form_action


@pytest.mark.django_db
def test_a_second_login_reads_no_private_key_again(client, idp, census):
    # pysaml2 loads and checks each private key for every client it makes, several per
    # login (saml.py keeps each loaded key by its PEM text).
    import saml2.cryptography.asymmetric

    log_in(client, idp)
    loads = saml2.cryptography.asymmetric.load_pem_private_key.cache_info()

    log_in(Client(HTTP_ACCEPT_LANGUAGE="en"), idp)

    after = saml2.cryptography.asymmetric.load_pem_private_key.cache_info()
    assert after.misses == loads.misses
    assert after.hits > loads.hits


def test_loading_the_urls_leaves_pysaml2_until_a_nemlogin_page_is_used():
    # pysaml2 takes half a second of a core to import; every process loads the URLs.
    import os
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup(); from django.urls import reverse; "
        "reverse('nemlogin_login'); print('saml2' in sys.modules)"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "samskab.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
