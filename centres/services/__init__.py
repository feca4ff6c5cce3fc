"""The writes of the service centre, one module per thing they own (assignment, calls,
appointments, windows); each runs inside one transaction."""
