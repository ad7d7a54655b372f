"""The offer of internship places (stageaanbod) that schools publish."""
