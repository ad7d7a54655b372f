"""Education levels, subjects and training kinds contributed by plugins, mirrored into tables."""
