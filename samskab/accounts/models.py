"""People: accounts that log in by e-mail or MitID, their verification, and the census.

No CPR number is ever stored: census identifiers are kept only as a keyed hash, and a
MitID login keeps the broker's pseudonymous subject (allauth's SocialAccount.uid).
"""

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskab.accounts.managers import UserManager


class VerificationLevel(models.IntegerChoices):
    # A visitor without an account is the level below these (an anonymous viewer).
    ACCOUNT = 1, _("account, e-mail not verified")
    EMAIL = 2, _("e-mail verified")
    RESIDENT = 3, _("resident verified")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown next to what you write. Leave empty to write anonymously."),
    )
    verification_level = models.PositiveSmallIntegerField(
        _("verification"), choices=VerificationLevel, default=VerificationLevel.ACCOUNT
    )
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("Can log in to the administration.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # MitID Erhverv: the account acts for an organisation, shown by its name (never the
    # person's). Set at each organisation login from NemLog-in's or the broker's attributes.
    # A default in the database too: code that does not know the fields yet (an older
    # migration's model, a migration test) can still create accounts.
    organisation_cvr = models.CharField(
        _("CVR number"), max_length=8, blank=True, default="", db_default=""
    )
    organisation_name = models.CharField(
        _("organisation's name"), max_length=160, blank=True, default="", db_default=""
    )
    deleted_at = models.DateTimeField(
        _("deleted"),
        null=True,
        blank=True,
        help_text=_("Set when the person deleted their account; the row stays, anonymised."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_organisation(self) -> bool:
        return bool(self.organisation_cvr)

    @property
    def public_name(self) -> str:
        """The name shown next to what the person wrote."""
        if self.deleted_at:
            return str(_("Deleted user"))
        if self.organisation_name:
            return self.organisation_name
        return self.display_name or str(_("Anonymous citizen"))

    @property
    def is_resident_verified(self) -> bool:
        return self.verification_level >= VerificationLevel.RESIDENT

    @property
    def is_email_verified(self) -> bool:
        return self.verification_level >= VerificationLevel.EMAIL


class CensusImport(models.Model):
    """One upload of the municipality's census extract; replaces the previous records."""

    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("imported by")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("residents"), default=0)
    # The municipality chooses the identifier (a CPR number or its own); citizens are asked
    # for it by this name on the verification page. Empty means "CPR number".
    identifier_label = models.CharField(
        _("name of the identifier"),
        max_length=60,
        blank=True,
        help_text=_("What citizens are asked for, e.g. 'CPR number'. Empty means CPR number."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("census import")
        verbose_name_plural = _("census imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count})"


class CensusRecord(models.Model):
    """A resident as the census knows them, without a readable identifier.

    identifier_hash is HMAC-SHA256(CENSUS_PEPPER, normalised identifier), so a leaked
    table cannot be turned back into CPR numbers without the pepper.
    """

    identifier_hash = models.CharField(max_length=64, unique=True)
    birth_date = models.DateField()
    postal_code = models.CharField(max_length=4)
    census_import = models.ForeignKey(
        CensusImport, on_delete=models.CASCADE, related_name="records"
    )

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")

    def __str__(self) -> str:
        return f"{self.identifier_hash[:8]}… {self.postal_code}"


class ResidenceVerification(models.Model):
    """That an account belongs to a resident. One account per resident (unique hash)."""

    class Method(models.TextChoices):
        CENSUS = "census", _("census details")
        MITID = "mitid", _("MitID")
        IN_PERSON = "in_person", _("in person")
        LETTER = "letter", _("census details and a code by letter")

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="residence",
        verbose_name=_("user"),
    )
    # Kept when the census is re-imported so a resident cannot verify a second account.
    identifier_hash = models.CharField(
        max_length=64, unique=True, verbose_name=_("identifier hash")
    )
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    method = models.CharField(_("method"), max_length=16, choices=Method, default=Method.CENSUS)
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)

    class Meta:
        verbose_name = _("residence verification")
        verbose_name_plural = _("residence verifications")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_method_display()})"


class ResidenceLetter(models.Model):
    """A one-time code sent by letter to confirm a typed residence check.

    Only with RESIDENCE_TYPED_CHECK: the census details a person types are not secret, so
    the municipality sends a code to the person's registered address (its mail room, by
    the CPR number) and the code confirms it (accounts/letters.py). Until the mail room takes
    the letter, the CPR number and the code are kept encrypted (`sealed`); the export erases
    them, and afterwards only the code's keyed hash is left.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="residence_letters",
        verbose_name=_("user"),
    )
    identifier_hash = models.CharField(_("identifier hash"), max_length=64)
    postal_code = models.CharField(_("postal code"), max_length=4)
    code_hash = models.CharField(_("code hash"), max_length=64)
    sealed = models.TextField(_("address and code, encrypted until printed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    expires_at = models.DateTimeField(_("code valid until"))
    exported_at = models.DateTimeField(_("handed to the mail room"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    void_at = models.DateTimeField(_("void"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("residence letter")
        verbose_name_plural = _("residence letters")

    def __str__(self) -> str:
        return f"{self.pk} ({self.created_at:%Y-%m-%d})"
