"""Who may do what: the one policy module, and the classification of every route."""
