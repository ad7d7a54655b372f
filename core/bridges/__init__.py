"""External-system bridges contributed by plugins."""
