"""Newsletters and reminders: written by administrators, sent to a segment through the
mail outbox; people unsubscribe with a signed link or on their notifications page."""
