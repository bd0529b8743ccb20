"""Chinese sales-objection bot for car showrooms: our own logic, importable without Rasa."""

__version__ = "0.1.0"
