"""Government reports; plugins add sections through ``stagebank_report_sections``."""
