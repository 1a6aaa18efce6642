# The real SMTP server on loopback the feedback tests use, for the budgets' e-mails.
from samskab.feedback.tests.conftest import smtp_inbox  # noqa: F401
