"""Word (and optional PDF) export of proposals. No Qt; uses services and models only."""
