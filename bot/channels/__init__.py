"""Rasa input channels of the bot (these modules import Rasa)."""
