def report_due_send() -> int:
    return 0
