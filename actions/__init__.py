"""Custom actions: thin wrappers that call into the ``bot`` package."""
