"""Background jobs: mail delivery, expiry, reminders, digests (and bridge syncs).

``queue.enqueue(name, **kwargs)`` runs a job on the RQ queue in Redis when
``STAGEBANK_REDIS_URL`` is set, and at once in the calling process otherwise. The jobs
themselves are in ``tasks.py``; ``schedule.py`` is the one table of when the scheduled ones
run; ``worker.py`` is ``stagebank worker``; ``cli.py`` holds ``stagebank jobs ...``.
"""
