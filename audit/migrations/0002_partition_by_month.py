"""On PostgreSQL, make the audit table partitioned by month of ``at`` (audit.partitions).

The table 0001 created is empty at this point: it is replaced by a partitioned table with the
same columns, a primary key of (id, at) (a partitioned table's keys include the partition key;
``id`` stays unique on its own, from one sequence), the same indexes, a default partition and
the partitions of this month and the next two. Other databases keep the plain table.
"""

from django.db import migrations

TABLE = "audit_auditrecord"

FORWARD = f"""
ALTER TABLE {TABLE} RENAME TO {TABLE}_plain;
CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS) PARTITION BY RANGE (at);
DROP TABLE {TABLE}_plain;
CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id;
ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq');
ALTER TABLE {TABLE} ADD PRIMARY KEY (id, at);
CREATE INDEX {TABLE}_at_idx ON {TABLE} (at);
CREATE INDEX {TABLE}_actor_idx ON {TABLE} (actor_id);
CREATE INDEX {TABLE}_object_idx ON {TABLE} (object_id);
CREATE INDEX {TABLE}_chain_idx ON {TABLE} (chain_index);
CREATE INDEX audit_unsealed_idx ON {TABLE} (id) WHERE sealed_at IS NULL;
CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD)
    from audit import partitions

    partitions.ensure(ahead=2)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Back to a plain table with the rows kept (0001's shape).
    schema_editor.execute(
        f"""
        CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS);
        INSERT INTO {TABLE}_plain SELECT * FROM {TABLE};
        ALTER SEQUENCE {TABLE}_id_seq OWNED BY NONE;
        DROP TABLE {TABLE} CASCADE;
        ALTER TABLE {TABLE}_plain RENAME TO {TABLE};
        ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id;
        ALTER TABLE {TABLE} ADD PRIMARY KEY (id);
        CREATE INDEX {TABLE}_at_idx ON {TABLE} (at);
        CREATE INDEX {TABLE}_actor_idx ON {TABLE} (actor_id);
        CREATE INDEX {TABLE}_object_idx ON {TABLE} (object_id);
        CREATE INDEX {TABLE}_chain_idx ON {TABLE} (chain_index);
        CREATE INDEX audit_unsealed_idx ON {TABLE} (id) WHERE sealed_at IS NULL;
        """
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_log")]
    operations = [migrations.RunPython(forward, backward)]
