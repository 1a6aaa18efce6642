"""Test data for core: staff with a second factor, and pictures to upload."""

import io
import os

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from samskab.accounts.models import User
from samskab.accounts.roles import Role, roles_sync


def administrator(email: str = "admin@testby.example", password: str = "Admin-pass-123"):
    """A staff member with the Administrator role, a verified address and an authenticator app.

    Returns the user and the authenticator's secret, from which a test computes codes.
    """
    roles_sync()
    user = User.objects.create_user(email=email, password=password, is_staff=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def png_bytes(width: int = 120, height: int = 40, colour: str = "#004993") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def noisy_png_bytes(side: int = 1024) -> bytes:
    """A real picture of about 3 MB: random pixels do not compress."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10" fill="red"/></svg>'
)


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
