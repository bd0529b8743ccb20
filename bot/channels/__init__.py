"""Rasa input channels of the bot (these modules import Rasa). Importing them changes nothing in
Rasa: each channel class of credentials.yml installs ``bot.rasa.patches`` when Rasa asks it for its
routes, and log masking comes from the logging configuration (deploy/logging.yml)."""
