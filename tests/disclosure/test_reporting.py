"""onestop.reporting: without a replica the figures use the default connection; with one, reads
inside reporting_reads() and .using(reporting_alias()) go to it, writes never do, and the
replica is never migrated."""

from __future__ import annotations

from django.conf import settings as django_settings

from onestop.reporting import ReportingRouter, replica_status, reporting_alias, reporting_reads
from permits.models import Application


def test_without_a_replica_everything_reads_the_default_database(settings):
    settings.REPORTING_DATABASE_URL = ""
    assert reporting_alias() == "default"
    status = replica_status()
    assert status.replica is False and status.lag_seconds is None
    with reporting_reads() as alias:
        assert alias == "default"


def test_with_a_replica_the_router_sends_reads_there_when_asked(settings):
    settings.REPORTING_DATABASE_URL = "postgres://postgres@127.0.0.1:5434/onestop"
    router = ReportingRouter()
    assert reporting_alias() == "reporting"
    assert router.db_for_read(Application) is None  # not asked: Django's own choice
    with reporting_reads():
        assert router.db_for_read(Application) == "reporting"
        assert router.db_for_write(Application) == "default"
    assert router.allow_migrate("reporting", "permits") is False
    assert router.allow_migrate("default", "permits") is None


def test_the_alias_mirrors_default_in_tests():
    assert django_settings.DATABASES["reporting"]["TEST"]["MIRROR"] == "default"
    assert "onestop.reporting.ReportingRouter" in django_settings.DATABASE_ROUTERS
