import pytest


@pytest.fixture(autouse=True)
def _fresh_stats_settings():
    # The settings row is cached per process; every test has its own database.
    from samskab.stats import ingest
    from samskab.stats.models import stats_settings_changed

    stats_settings_changed()
    ingest._facts.clear()
    ingest._tickets.clear()
    yield
    stats_settings_changed()
