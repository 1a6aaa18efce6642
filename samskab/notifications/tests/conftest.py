from samskab.feedback.tests.conftest import smtp_inbox  # noqa: F401  # a real SMTP server
