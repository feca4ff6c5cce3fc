"""The load-test dataset (issue 11 item 1): ``manage.py seed_load`` builds a template database
of a city's scale once, and benchmarks clone it (``loadtest.databases``). See
docs/load-dataset.md."""
