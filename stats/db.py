"""Where the statistics read: the reporting database (``onestop.reporting``), a PostgreSQL
streaming replica when ``REPORTING_DATABASE_URL`` names one and the default database otherwise
(docs/scaling.md). The pages read only the read models, the catalogue and the ratings, never
the raw events, and never write through this alias."""

from onestop.reporting import reporting_alias as _reporting_alias


def reporting_alias() -> str:
    return _reporting_alias()
