"""The administrator's console: registrations to decide, the audit log."""
