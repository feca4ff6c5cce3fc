"""The rows around the copied cases, each one INSERT … SELECT over all of them:

- ratings (好差评): about 60% of the decided and answered cases are rated (一事一评), levels
  mostly 满意 and 非常满意 with 5% 差评, by the applicant, against the lead department;
- queue tickets: one in ten cases came in at a window: a done ticket at the lead department's
  region's centre (its window and clerk), linked to the case; their own ratings are not made;
- audit rows: the submission request of every submitted case (category ``request``), left
  unsealed (``audit.chain.seal`` chains them on its next run, as it would after an outage);
- outbox rows: the sent ``notifications.notify_event`` message of every case's last event.
"""

from __future__ import annotations

DECIDED = ("approved", "denied", "answered", "closed")


def ratings(cursor, first_app: int) -> int:
    cursor.execute(
        """
        INSERT INTO evaluations_rating (
            subject_kind, subject_id, round, department_ids, channel, level, tags, reasons,
            comment, comment_status, comment_published, source, answered_at, rated_at,
            is_default, set_aside, set_aside_reasons, application_id, department_id,
            item_id, item_version_id, rated_by_id, region_id, subject_data
        )
        SELECT 'case', a.id, 1, jsonb_build_array(a.lead_department_id), a.channel,
               CASE WHEN a.id %% 20 = 0 THEN 2 WHEN a.id %% 3 = 0 THEN 4 ELSE 5 END,
               '["overall"]'::jsonb, CASE WHEN a.id %% 20 = 0 THEN '["overdue"]'::jsonb
                                          ELSE '[]'::jsonb END,
               '', 'none', '', 'site', coalesce(a.decided_at, a.answered_at, a.updated_at),
               coalesce(a.decided_at, a.answered_at, a.updated_at) + interval '1 day',
               false, false, '', a.id, a.lead_department_id, a.item_id, a.item_version_id,
               a.created_by_id, a.region_id, '{}'::jsonb
          FROM permits_application a
         WHERE a.id >= %s AND a.status IN %s AND a.id %% 5 < 3
        """,
        [first_app, DECIDED],
    )
    return cursor.rowcount


def tickets(cursor, first_app: int) -> int:
    cursor.execute(
        """
        WITH w AS (
            SELECT DISTINCT ON (c.region_id) c.region_id, c.id AS centre_id, w.id AS window_id
              FROM departments_servicecentre c
              JOIN departments_window w ON w.centre_id = c.id
             ORDER BY c.region_id, w.id
        ), clerk AS (
            SELECT min(user_id) AS user_id FROM departments_staffrole WHERE role = 'clerk'
        )
        INSERT INTO centres_ticket (
            day, letter, number, category, status, priority, priority_reason, elder_mode,
            issued_at, queued_at, called_at, started_at, finished_at, recalls, transfers,
            application_id, centre_id, item_id, served_by_id, window_id
        )
        SELECT (a.created_at AT TIME ZONE 'Asia/Shanghai')::date, 'L', a.id::int, i.category,
               'done', false, '', false, a.created_at - interval '20 minutes',
               a.created_at - interval '20 minutes', a.created_at - interval '5 minutes',
               a.created_at - interval '4 minutes', a.created_at, 0, 0,
               a.id, w.centre_id, a.item_id, clerk.user_id, w.window_id
          FROM permits_application a
          JOIN permits_serviceitem i ON i.id = a.item_id
          JOIN w ON w.region_id = a.region_id
          CROSS JOIN clerk
         WHERE a.id >= %s AND a.id %% 10 = 7
        """,
        [first_app],
    )
    return cursor.rowcount


def audit_rows(cursor, first_app: int) -> int:
    cursor.execute(
        """
        INSERT INTO audit_auditrecord (
            at, category, action, actor_id, actor_label, client_ip, method, path, status_code,
            object_type, object_id, detail, prev_hash, row_hash
        )
        SELECT a.submitted_at, 'request', 'POST /api/v1/applications/{id}/submit',
               a.created_by_id, 'load-citizen', '10.0.0.1', 'POST',
               '/api/v1/applications/' || a.id || '/submit', 200,
               'permits.application', a.id::text, '{}'::jsonb, '', ''
          FROM permits_application a
         WHERE a.id >= %s AND a.submitted_at IS NOT NULL
        """,
        [first_app],
    )
    return cursor.rowcount


def outbox_rows(cursor, first_app: int) -> int:
    cursor.execute(
        """
        INSERT INTO outbox_outboxmessage (task_name, args, kwargs, created_at, sent_at,
                                          attempts, last_error)
        SELECT 'notifications.notify_event', jsonb_build_array(e.id), '{}'::jsonb,
               e.at, e.at + interval '1 second', 1, ''
          FROM (SELECT DISTINCT ON (application_id) id, application_id, at
                  FROM permits_event WHERE application_id >= %s
                 ORDER BY application_id, id DESC) e
        """,
        [first_app],
    )
    return cursor.rowcount
