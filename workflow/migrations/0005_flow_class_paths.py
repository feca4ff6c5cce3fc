"""The flows became a package (workflow/flows/parallel.py): viewflow's stored references to the
parallel flow and its nodes move with the class, so cases in flight keep resolving their nodes
(a join looks its task up by this reference). ``workflow.flows.ParallelLicensingFlow`` stays
importable as an alias for any reference this does not reach."""

from django.db import migrations

OLD = "workflow/flows.ParallelLicensingFlow"
NEW = "workflow/flows.parallel.ParallelLicensingFlow"

FORWARD = [
    f"UPDATE viewflow_process SET flow_class = '{NEW}' WHERE flow_class = '{OLD}'",
    f"UPDATE viewflow_task SET flow_task = '{NEW}' || substr(flow_task, {len(OLD) + 1}) "
    f"WHERE flow_task LIKE '{OLD}.%'",
]
BACKWARD = [
    f"UPDATE viewflow_process SET flow_class = '{OLD}' WHERE flow_class = '{NEW}'",
    f"UPDATE viewflow_task SET flow_task = '{OLD}' || substr(flow_task, {len(NEW) + 1}) "
    f"WHERE flow_task LIKE '{NEW}.%'",
]


class Migration(migrations.Migration):
    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0004_deadlines"),
    ]

    operations = [
        migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD),
    ]
