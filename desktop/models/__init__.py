"""Persistent data: SQLAlchemy entities, the hybrid logical clock, schema migrations. No Qt."""
