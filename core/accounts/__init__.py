"""People, their memberships of institutions and their roles."""
