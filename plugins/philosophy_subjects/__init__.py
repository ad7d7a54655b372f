"""Levensbeschouwelijke vakken (philosophical subjects) for primary and secondary schools."""

from plugins.philosophy_subjects.hooks import stagebank_subjects, stagebank_template_fragment

__all__ = ["stagebank_subjects", "stagebank_template_fragment"]
