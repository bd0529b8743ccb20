"""Where the lexicon is (synonyms, cue words, consent words, grade rules): ``$BOT_LEXICON_DIR`` or
data/lexicon, for every process that reads it (channels, actions, CLI)."""

import os

from bot.constants import DEFAULT_LEXICON_DIR, ENV_LEXICON_DIR


def lexicon_dir() -> str:
    """The lexicon's folder: $BOT_LEXICON_DIR (as set, even empty) or data/lexicon."""
    return os.environ.get(ENV_LEXICON_DIR, DEFAULT_LEXICON_DIR)
