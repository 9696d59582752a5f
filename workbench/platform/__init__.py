"""Platform data: what the platform knows. The workbench only ever reads it."""
