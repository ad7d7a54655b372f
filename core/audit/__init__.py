"""The audit log of security events and changes to institutions."""
