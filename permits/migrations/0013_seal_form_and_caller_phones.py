"""Seal the personal data still in clear inside JSON columns (issue 12 item 5): the values of
form fields of type id_number / phone (per the case's frozen item version), the hotline caller's
phone (and its lookup hash for repeated-call matching) and the caller phone of call_linked
events. Values already sealed are left as they are, so the migration can run again."""

from django.db import migrations

SEALED_TYPES = {"id_number", "phone"}


def seal_existing(apps, schema_editor):
    from onestop.pii import is_sealed, lookup_hash, seal, unseal

    Application = apps.get_model("permits", "Application")
    Event = apps.get_model("permits", "Event")
    rows = Application.objects.select_related("item_version").only(
        "id", "form_data", "caller", "caller_phone_hash", "item_version__snapshot"
    )
    for app in rows.iterator(chunk_size=500):
        changed = []
        fields = (app.item_version.snapshot or {}).get("form_fields") or [] if app.item_version_id else []
        kinds = {f.get("name"): f.get("type") for f in fields}
        data = dict(app.form_data or {})
        for name, value in data.items():
            if kinds.get(name) in SEALED_TYPES and isinstance(value, str) and value and not is_sealed(value):
                data[name] = seal(value)
                changed.append("form_data")
        caller = dict(app.caller or {})
        phone = caller.get("phone")
        if isinstance(phone, str) and phone:
            if not is_sealed(phone):
                caller["phone"] = seal(phone)
                changed.append("caller")
            digest = lookup_hash(unseal(caller["phone"])) or ""
            if app.caller_phone_hash != digest:
                app.caller_phone_hash = digest
                changed.append("caller_phone_hash")
        if changed:
            app.form_data, app.caller = data, caller
            app.save(update_fields=sorted(set(changed)))
    for event in Event.objects.filter(action="call_linked").only("id", "data").iterator(
        chunk_size=500
    ):
        data = dict(event.data or {})
        caller = dict(data.get("caller") or {})
        phone = caller.get("phone")
        if isinstance(phone, str) and phone and not is_sealed(phone):
            caller["phone"] = seal(phone)
            data["caller"] = caller
            Event.objects.filter(pk=event.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [("permits", "0012_caller_phone_hash")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
