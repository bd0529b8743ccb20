"""Custom actions: thin wrappers that call into the ``bot`` package."""

from bot.privacy import install_log_masking

# rasa_sdk has configured logging by the time it imports this package.
install_log_masking()
