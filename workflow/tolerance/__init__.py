"""容缺受理 (tolerance acceptance): a case accepted with tolerable materials missing, under the
applicant's signed commitment and a deadline no later than the promised limit.

``models.Tolerance`` is the record; ``services`` records it at acceptance, takes the materials
when they arrive, and terminates a case whose deadline passed; ``sweep`` is the deadline
sweep's hook (reminders before the deadline, terminations after it), set-based like the rest
of the sweep."""
