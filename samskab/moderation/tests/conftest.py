# A real SMTP server on loopback (aiosmtpd), the same one the feedback tests use.
from samskab.feedback.tests.conftest import smtp_inbox  # noqa: F401
