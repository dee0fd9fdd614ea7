"""Persistence: SQLAlchemy models, repositories and Alembic migrations. It never formats text."""
