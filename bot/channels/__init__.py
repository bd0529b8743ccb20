"""Rasa input channels of the bot (these modules import Rasa)."""

from bot.privacy import install_log_masking

# Rasa has configured logging by the time it loads the channels of credentials.yml.
install_log_masking()
