from django import template

from workflow.labels import event_label, participation_label, stage_label

register = template.Library()

register.filter("event_label", event_label)
register.filter("stage_label", stage_label)
register.filter("participation_label", participation_label)
