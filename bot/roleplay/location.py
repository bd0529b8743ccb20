"""Where the practice data is (personas, rubric, reactions, labels): ``$BOT_ROLEPLAY_DIR`` or
data/roleplay, for every process that reads it (channels, actions, CLI)."""

import os
from pathlib import Path

ENV_ROLEPLAY_DIR = "BOT_ROLEPLAY_DIR"
DEFAULT_ROLEPLAY_DIR = "data/roleplay"


def roleplay_dir() -> Path:
    """The practice data's folder: $BOT_ROLEPLAY_DIR or data/roleplay."""
    return Path(os.environ.get(ENV_ROLEPLAY_DIR) or DEFAULT_ROLEPLAY_DIR)
