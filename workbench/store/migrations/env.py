"""Alembic environment: runs against the engine handed over by workbench.store.migrate."""

from alembic import context

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=None, render_as_batch=engine.dialect.name == "sqlite"
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
