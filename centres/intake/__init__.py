"""Walk-in intake at the service centre's windows (前台综合受理、统一窗口出件): the clerk's pages.
They call the same ``workflow.services`` as every other door. Built so far: the hand-over page
(统一窗口出件); the walk-in entry pages are not built yet."""
