"""The plugins that ship with Stagebank, each registered through its own entry point."""
