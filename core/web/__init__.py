"""Public pages: home, offer overview, language switch and health check."""
