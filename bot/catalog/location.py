"""Where the dealer catalog is: ``$BOT_CATALOG_PATH`` or data/catalog.yml, for every process that
reads it (channels, actions, CLI)."""

import os
from pathlib import Path

from bot.catalog import Catalog, get_catalog
from bot.constants import DEFAULT_CATALOG_PATH, ENV_CATALOG_PATH


def catalog_path() -> Path:
    """The dealer catalog's file: $BOT_CATALOG_PATH or data/catalog.yml."""
    return Path(os.environ.get(ENV_CATALOG_PATH) or DEFAULT_CATALOG_PATH)


def catalog_from_env() -> Catalog:
    """The dealer catalog ($BOT_CATALOG_PATH or data/catalog.yml), loaded once."""
    return get_catalog(str(catalog_path()))
