"""Background work on django-tasks (database backend: the queue is a table of the platform's own database,
so SQLite and PostgreSQL need no extra server).

- Work is enqueued inside the transaction of the change that causes it (`task.enqueue(...)` writes a row):
  a rolled-back change leaves no task, and a committed one always has its task (a transactional outbox).
- `gongkai worker` runs the tasks (gongkai.tasks.worker) and enqueues the periodic jobs when they are due
  (gongkai.tasks.schedule: daily sweeps, reminders). `gongkai demo` starts one beside the web server.
- The tasks themselves live beside the code they serve (e.g. gongkai.cases.tasks).
"""
