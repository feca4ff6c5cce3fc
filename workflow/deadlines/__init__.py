"""Deadlines (DESIGN.md §4, docs/deadlines.md): the work calendar (``calendar``), case and task
clocks (``clocks``), the sweep that marks yellow and red (``sweep``), the single Celery beat
(``beat``), supervision (``supervision``, ``board``: a page of panels that apps register) and
their back-office pages (``views``, ``forms``, ``urls``). Import the modules; this package
re-exports nothing."""
