"""Institutions: schools and teacher-training programmes, with their campuses."""
