"""The one-time code by letter that confirms a typed residence check (RESIDENCE_TYPED_CHECK).

A CPR number, a birth date and a postal code are not secrets, so typing them proves little.
When they match the census, the municipality sends a code to the person's registered
address, as CONSUL's letter verification does, and entering the code verifies the account.
The letter goes through the municipality's own mail room: staff export the waiting letters
as a CSV (CPR number, code, validity), which their print or Digital Post system (addressed
by CPR number) merges into letters. Until then the CPR number and the code are kept
encrypted under a key derived from CENSUS_PEPPER (kept apart from the database); the export
erases them, and only the code's keyed hash stays to check what the person types.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab.accounts import services
from samskab.accounts.census import hash_identifier
from samskab.accounts.models import CensusRecord, ResidenceLetter, ResidenceVerification, User

CODE_DIGITS = 8


class LetterRefused(Exception):
    """A letter not sent or a code not accepted; `message` tells the person why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _fernet() -> Fernet:
    key = hashlib.sha256(b"samskab residence letter\0" + settings.CENSUS_PEPPER.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _code_hash(letter_user_id: int, code: str) -> str:
    key = hashlib.sha256(b"samskab letter code\0" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{letter_user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _digits(identifier: str) -> str:
    return "".join(ch for ch in identifier if ch.isdigit())


def letter_pending(user: User) -> ResidenceLetter | None:
    """The letter this person is waiting for (or holding), if any."""
    return (
        ResidenceLetter.objects.filter(
            user=user,
            confirmed_at__isnull=True,
            void_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


def residence_letter_request(
    *, user: User, identifier: str, birth_date: date, postal_code: str
) -> ResidenceLetter:
    """Queue a letter with a one-time code when the three details match an unclaimed census
    record. Refusals are the typed check's (services.CensusMismatch, ResidenceClaimed,
    AlreadyVerified) and LetterRefused for a letter already on its way or too many letters."""
    digest = hash_identifier(identifier, pepper=settings.CENSUS_PEPPER)
    if ResidenceVerification.objects.filter(user=user).exists():
        raise services.AlreadyVerified
    record = CensusRecord.objects.filter(
        identifier_hash=digest, birth_date=birth_date, postal_code=postal_code
    ).first()
    if record is None:
        raise services.CensusMismatch
    if ResidenceVerification.objects.filter(identifier_hash=digest).exists():
        raise services.ResidenceClaimed
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
        if letter_pending(user) is not None:
            raise LetterRefused(
                _(
                    "A letter with a code is already on its way to you. Enter the code when "
                    "it arrives; you can ask for a new letter when this code has expired."
                )
            )
        recent = ResidenceLetter.objects.filter(
            user=user, created_at__gt=now - timedelta(days=90)
        ).count()
        if recent >= settings.RESIDENCE_LETTERS_PER_90_DAYS:
            raise LetterRefused(
                _(
                    "You have asked for too many letters recently. Contact the municipality, "
                    "or log in with MitID instead."
                )
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        sealed = _fernet().encrypt(json.dumps({"cpr": _digits(identifier), "code": code}).encode())
        return ResidenceLetter.objects.create(
            user=user,
            identifier_hash=digest,
            postal_code=record.postal_code,
            code_hash=_code_hash(user.pk, code),
            sealed=sealed.decode(),
            created_at=now,
            expires_at=now + timedelta(days=settings.RESIDENCE_LETTER_DAYS),
        )


class WrongCode(LetterRefused):
    def __init__(self, remaining: int):
        if remaining:
            message = _(
                "The code is not right. Check the letter and try again. You have %(n)d tries left."
            ) % {"n": remaining}
        else:
            message = _(
                "The code was wrong too many times, so it no longer works. You can ask for a "
                "new letter."
            )
        super().__init__(message)
        self.remaining = remaining


def residence_letter_confirm(*, user: User, code: str) -> ResidenceVerification:
    """Verify the account when `code` is the one in the person's letter."""
    code = _digits(code)
    now = timezone.now()
    with transaction.atomic():
        letter = (
            ResidenceLetter.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True, void_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if letter is None:
            raise LetterRefused(_("There is no letter waiting for a code. Ask for a letter first."))
        if letter.expires_at <= now:
            raise LetterRefused(
                _("The code in your letter has expired. You can ask for a new letter.")
            )
        if not hmac.compare_digest(letter.code_hash, _code_hash(user.pk, code)):
            letter.attempts += 1
            if letter.attempts >= settings.RESIDENCE_LETTER_ATTEMPTS:
                letter.void_at, letter.sealed = now, ""
            letter.save(update_fields=["attempts", "void_at", "sealed"])
            wrong = WrongCode(max(0, settings.RESIDENCE_LETTER_ATTEMPTS - letter.attempts))
        else:
            wrong = None
            verification = services.residence_verify_by_hash(
                user=user,
                identifier_hash=letter.identifier_hash,
                method=ResidenceVerification.Method.LETTER,
            )
            letter.confirmed_at, letter.sealed = now, ""
            letter.save(update_fields=["confirmed_at", "sealed"])
    # Raised after the commit, so the wrong try is counted.
    if wrong is not None:
        raise wrong
    return verification


@dataclass(frozen=True)
class LetterExport:
    csv: str
    count: int


def residence_letters_export(*, by: User) -> LetterExport:
    """The letters waiting for the mail room, as CSV; they are marked handed over and their
    CPR numbers and codes erased here (a second export does not repeat them)."""
    if not by.has_perm("accounts.export_residence_letters"):
        raise LetterRefused(_("Only administrators can hand letters to the mail room."))
    now = timezone.now()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["letter", "cpr_number", "code", "valid_until", "postal_code", "text"])
    with transaction.atomic():
        letters = list(
            ResidenceLetter.objects.select_for_update()
            .filter(
                exported_at__isnull=True,
                confirmed_at__isnull=True,
                void_at__isnull=True,
                expires_at__gt=now,
            )
            .exclude(sealed="")
            .order_by("pk")
        )
        for letter in letters:
            try:
                sealed = json.loads(_fernet().decrypt(letter.sealed.encode()))
            except (InvalidToken, ValueError):
                # Sealed under another CENSUS_PEPPER: it cannot be sent; the person asks again.
                letter.void_at = now
            else:
                valid_until = timezone.localdate(letter.expires_at)
                writer.writerow(
                    [
                        letter.pk,
                        sealed["cpr"],
                        sealed["code"],
                        valid_until.isoformat(),
                        letter.postal_code,
                        letter_text(sealed["code"], valid_until),
                    ]
                )
                letter.exported_at = now
            letter.sealed = ""
            letter.save(update_fields=["exported_at", "void_at", "sealed"])
    return LetterExport(csv=out.getvalue(), count=sum(1 for row in letters if row.exported_at))


def letter_text(code: str, valid_until: date) -> str:
    """The letter's words, in the site's language (the mail room merges them)."""
    from samskab.core.models import SiteSettings

    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Your code to confirm your residence on %(site)s's citizen participation site is "
            "%(code)s. Log in, go to your account, choose to verify your residence, and enter "
            "the code. The code is valid until %(date)s. If you did not ask for it, contact "
            "the municipality."
        ) % {
            "site": SiteSettings.current().name,
            "code": code,
            "date": f"{valid_until:%d.%m.%Y}",
        }
