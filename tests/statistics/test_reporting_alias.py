"""The statistics pages read where the disclosure pages do: the reporting replica when one is
configured (onestop.reporting), the default database otherwise."""

from __future__ import annotations

from stats import db


def test_statistics_read_the_replica_when_one_is_configured(settings):
    settings.REPORTING_DATABASE_URL = "postgres://postgres@127.0.0.1:5434/onestop"
    assert db.reporting_alias() == "reporting"


def test_statistics_read_the_default_database_without_a_replica(settings):
    settings.REPORTING_DATABASE_URL = ""
    assert db.reporting_alias() == "default"
