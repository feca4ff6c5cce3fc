"""The scorecard's indicators and weights (绩效评估), edited by administrators."""

from django.contrib import admin

from .models import ScorecardIndicator


@admin.register(ScorecardIndicator)
class ScorecardIndicatorAdmin(admin.ModelAdmin):
    list_display = ("indicator", "weight", "active", "position")
    list_editable = ("weight", "active", "position")
    ordering = ("position", "indicator")
