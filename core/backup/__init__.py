"""Export a whole installation to one file, and import it into an empty, upgraded database."""
