"""A capability that exists only in the test suite: ideas in idea boxes. It writes no comment,
follow or report code of its own; it registers its models as targets and writes its rules,
and the kernel apps do the rest (tests: core/tests/test_kernel_app.py)."""
