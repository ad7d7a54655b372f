"""API resources, one module per area; each is a thin layer over that area's services."""
