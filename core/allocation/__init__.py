"""Allocation proposals: place a whole cohort at once, fairly, with capacities and wishes."""
