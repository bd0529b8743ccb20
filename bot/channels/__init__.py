"""Rasa input channels of the bot (these modules import Rasa)."""

from bot import rasa_speedups
from bot.privacy import install_log_masking

# Rasa has configured logging by the time it loads the channels of credentials.yml.
install_log_masking()
# Every Rasa process that serves our channels also gets the measured speed-ups (BENCHMARKS.md).
rasa_speedups.install()
