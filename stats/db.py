"""Where the statistics read: the one function the reporting router will replace (issue 13
item 6 adds a ``reporting`` alias that points at a streaming replica when one is configured)."""


def reporting_alias() -> str:
    return "default"
