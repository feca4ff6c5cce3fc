"""Backups that restore (issue 12 item 8): ``manage.py backup`` and ``manage.py restore``."""
