"""The citizen's own pages: profile, verification, data export and deletion."""

from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samskab.accounts import dataview, letters, services
from samskab.accounts.forms import (
    AccountDeleteForm,
    ProfileForm,
    ResidenceCodeForm,
    ResidenceForm,
)
from samskab.accounts.models import VerificationLevel
from samskab.accounts.selectors import census_identifier_label, user_data_export
from samskab.core.models import SiteSettings
from samskab.core.ratelimit import ratelimit


def _levels(user) -> list[dict[str, object]]:
    """The three levels a person can be at, and what each one lets them do."""
    current = user.verification_level if user.is_authenticated else 0
    rows = [
        (
            0,
            _("Viewer without an account"),
            _(
                "Watch meetings, read everything, answer vox pops and surveys anonymously, "
                "and write to the municipality."
            ),
        ),
        (
            VerificationLevel.EMAIL,
            _("E-mail verified"),
            _(
                "Comment and write in the live blog, follow projects, and propose projects "
                "for the citizens' budget."
            ),
        ),
        (
            VerificationLevel.RESIDENT,
            _("Resident verified"),
            _(
                "Vote in binding votes and the citizens' budget, where only the "
                "municipality's residents may take part."
            ),
        ),
    ]
    return [
        {"name": name, "allows": allows, "reached": current >= level, "current": level == current}
        for level, name, allows in rows
    ]


@login_required
@ratelimit("profile", "20/h")
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"display_name": user.display_name},
    )
    if request.method == "POST" and form.is_valid():
        services.account_update_profile(user=user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Your display name has been saved."))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "levels": _levels(user),
        "email_unverified": user.verification_level < VerificationLevel.EMAIL,
        "residence": getattr(user, "residence", None),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@ratelimit("residence", "5/h")
def residence_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_resident_verified:
        messages.info(request, _("Your account is already verified as a resident."))
        return redirect("accounts:profile")
    if not settings.RESIDENCE_TYPED_CHECK:
        # Residence comes from MitID: the census match is made during a MitID login.
        return render(request, "accounts/residence_mitid.html")
    if not user.has_perm("accounts.verify_residence"):
        return render(request, "accounts/residence_email_first.html", status=403)
    pending = letters.letter_pending(user)
    if pending is not None:
        return _residence_code(request, pending)
    form = ResidenceForm(
        request.POST if request.method == "POST" else None,
        identifier_label=census_identifier_label(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            # The details are not secret: a code by letter to the registered address confirms.
            letters.residence_letter_request(user=user, **form.cleaned_data)
        except letters.LetterRefused as refusal:
            form.add_error(None, refusal.message)
        except services.CensusMismatch:
            form.add_error(
                None,
                _(
                    "We could not verify your residence with these details. Check all three "
                    "and try again. If they are right, the municipality's census may not have "
                    "you yet (for example after a recent move)."
                ),
            )
        except services.ResidenceClaimed:
            form.add_error(None, _claimed_message())
        except services.AlreadyVerified:
            return redirect("accounts:profile")
        else:
            messages.success(
                request,
                _(
                    "The details match the census. A letter with a one-time code is on its way "
                    "to your address in the census. Enter the code here when it arrives."
                ),
            )
            return redirect("accounts:residence_verify")
    return render(request, "accounts/residence_verify.html", {"form": form})


def _residence_code(request: HttpRequest, letter) -> HttpResponse:
    form = ResidenceCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            letters.residence_letter_confirm(user=request.user, code=form.cleaned_data["code"])
        except letters.LetterRefused as refusal:
            form.add_error("code", refusal.message)
        except services.ResidenceClaimed:
            form.add_error(None, _claimed_message())
        except services.CensusMismatch:
            form.add_error(
                None,
                _(
                    "The municipality's census no longer has you as a resident, so the code "
                    "cannot verify you. Contact the municipality."
                ),
            )
        except services.AlreadyVerified:
            return redirect("accounts:profile")
        else:
            messages.success(request, _("Thank you. Your account is now verified as a resident."))
            return redirect("accounts:profile")
        letter = letters.letter_pending(request.user)
    return render(request, "accounts/residence_code.html", {"form": form, "letter": letter})


def _claimed_message() -> str:
    message = _(
        "These details have already been used to verify another account. "
        "Contact the municipality so they can help you."
    )
    contact = SiteSettings.current().contact_email
    if contact:
        message += " " + _("Write to %(email)s.") % {"email": contact}
    return message


@login_required
@require_GET
def data_export(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        user_data_export(request.user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    name = f"samskab-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def data_overview(request: HttpRequest) -> HttpResponse:
    """The same data as the download, on a page the person can read."""
    export = user_data_export(request.user)
    response = render(
        request,
        "accounts/data_overview.html",
        {"exported_at": export["exported_at"], "sections": dataview.sections(export)},
    )
    add_never_cache_headers(response)
    return response


def _can_reauthenticate(request: HttpRequest) -> bool:
    # A MitID-only account with no password, code or second factor has no way to
    # re-authenticate in allauth; its fresh login has to do.
    return bool(get_adapter().get_reauthentication_methods(request.user))


@login_required
@reauthentication_required(allow_get=True, enabled=_can_reauthenticate)
@ratelimit("account_delete", "10/h")
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirm, re-authenticate (allauth asks for the password or second factor), delete."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
