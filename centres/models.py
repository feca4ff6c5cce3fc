"""The service centre's own rows: what each window accepts, tickets, appointments."""
