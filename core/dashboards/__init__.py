"""Dashboards: each role's to-do list, overview tables with CSV export, calendar feeds."""
