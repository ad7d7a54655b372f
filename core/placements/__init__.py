"""Students and their placement requests (stageaanvragen)."""
