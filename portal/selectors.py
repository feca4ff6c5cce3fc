"""Reads the portal needs besides the catalogue's own selectors (``permits.selectors``): the
options of the catalogue filters. Public data, constant query counts (one query each)."""

from __future__ import annotations

from django.db.models import QuerySet

from departments.models import Department, Level, Region


def region_choices() -> QuerySet[Region]:
    """The city and its county-level divisions (市本级 and the five counties), in order."""
    return Region.objects.filter(level__in=[Level.CITY, Level.COUNTY]).order_by("position", "code")


def department_choices() -> QuerySet[Department]:
    """Active departments, with their region joined (for grouping the filter by region)."""
    return (
        Department.objects.filter(is_active=True)
        .select_related("region")
        .order_by("region__position", "region__code", "code")
    )
