"""Re-encrypt and re-hash every encrypted column with the current keys (issue 12 item 5).

Rotation: put the new key FIRST in ``PII_ENCRYPTION_KEYS`` (and/or ``PII_LOOKUP_KEYS``), keep the
old ones after it, deploy, run ``manage.py pii_rotate``, then drop the old keys. Until the run
ends, rows under an old key still decrypt and still match (lookups try every lookup key). Every
model with an ``onestop.pii.EncryptedCharField`` takes part; rows are rewritten in batches, each
in its own transaction, so the command can be stopped and run again.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from onestop import pii


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data (SM4) and re-hash its lookups (HMAC-SM3) with the current keys."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument(
            "--columns-only",
            action="store_true",
            help="re-key the encrypted columns (persons, phones) only, not the values inside "
            "application forms and callers: a second run without it does those",
        )

    def handle(self, *args, batch: int, columns_only: bool = False, **options) -> None:
        enc_current = pii.encryption_keys().current
        for model in apps.get_models():
            enc, hashed = pii.sealed_fields(model)
            if not enc:
                continue
            table = model._meta.db_table
            columns = [model._meta.get_field(name).column for name in enc]
            rewritten = 0
            last = 0
            while True:
                with transaction.atomic():
                    rows = list(
                        model.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:batch]
                    )
                    if not rows:
                        break
                    raw = self._raw(table, columns, model._meta.pk.column, [r.pk for r in rows])
                    stale_rows = []
                    for row in rows:
                        last = row.pk
                        stale = any(
                            (token or "") and pii.key_id_of(token) != enc_current
                            for token in raw.get(row.pk, ())
                        )
                        for h in hashed:
                            # bulk_update calls no pre_save: the hash is set here, as save() would
                            fresh = pii.lookup_hash(getattr(row, model._meta.get_field(h).source))
                            stale |= getattr(row, h) != fresh
                            setattr(row, h, fresh)
                        if stale:
                            stale_rows.append(row)
                    # one UPDATE for the batch (the field seals each value with the current key):
                    # a save per row made a province's 2 million persons a night's work
                    model.objects.bulk_update(stale_rows, enc + hashed)
                    rewritten += len(stale_rows)
            self.stdout.write(f"{model._meta.label}: {rewritten} rows rewritten")
        if columns_only:
            self.stdout.write("application forms and callers: left (--columns-only)")
            return
        self._rotate_json(batch, enc_current)

    def _rotate_json(self, batch: int, enc_current: str) -> None:
        """Sealed values inside JSON: form data (fields of type id_number / phone), the hotline
        caller's phone and its lookup hash. Only values under an old key are rewritten."""
        from permits.models import Application

        def fresh(value):
            if pii.is_sealed(value) and pii.key_id_of(value) != enc_current:
                return pii.seal(pii.unseal(value)), True
            return value, False

        rewritten = 0
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    Application.objects.select_for_update()
                    .filter(pk__gt=last)
                    .only("pk", "form_data", "caller", "caller_phone_hash")
                    .order_by("pk")[:batch]
                )
                if not rows:
                    break
                changed_rows = []
                for app in rows:
                    last = app.pk
                    changed = False
                    data = dict(app.form_data or {})
                    for name, value in data.items():
                        data[name], again = fresh(value)
                        changed |= again
                    caller = dict(app.caller or {})
                    if caller.get("phone"):
                        caller["phone"], again = fresh(caller["phone"])
                        changed |= again
                        digest = pii.lookup_hash(pii.unseal(caller["phone"])) or ""
                        changed |= digest != app.caller_phone_hash
                        app.caller_phone_hash = digest
                    if changed:
                        app.form_data, app.caller = data, caller
                        changed_rows.append(app)
                Application.objects.bulk_update(
                    changed_rows, ["form_data", "caller", "caller_phone_hash"]
                )
                rewritten += len(changed_rows)
        self.stdout.write(f"permits.Application (form data, caller): {rewritten} rows rewritten")

    @staticmethod
    def _raw(table: str, columns: list[str], pk: str, pks: list) -> dict:
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                # bandit B608: names quoted by connection.ops.quote_name, values are parameters
                f"SELECT {quote(pk)}, {cols} FROM {quote(table)} "  # noqa: S608 (names quoted)  # nosec B608
                f"WHERE {quote(pk)} IN ({', '.join(['%s'] * len(pks))})",
                pks,
            )
            return {r[0]: r[1:] for r in cursor.fetchall()}
