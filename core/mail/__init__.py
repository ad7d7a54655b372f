"""The mail outbox: mail is queued in the caller's transaction and delivered later.

``services.queue_mail`` adds a message to the ``mail_outbox`` table (so a rolled-back
change sends nothing); ``services.deliver_pending`` sends what is due through the
configured transport (``.eml`` files in the instance folder, or SMTP) and retries with
backoff, so a mail server that is down loses nothing.
"""
