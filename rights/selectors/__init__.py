"""Reads of the worker's side and the public's: the rights board and the published draws (board), a worker's
own records (records), complaints (complaints)."""

from rights.selectors.board import (
    BOARD_CACHE_SECONDS,
    DEFAULT_COMPLAINT_PHONE,
    LABOUR_CLERK,
    TOKEN,
    BoardFacts,
    PublishedDraw,
    board_addresses,
    board_facts,
    board_live,
    board_of,
    complaint_phone,
    published_city,
    published_draw,
    published_draws,
)

__all__ = [
    "BOARD_CACHE_SECONDS",
    "DEFAULT_COMPLAINT_PHONE",
    "LABOUR_CLERK",
    "TOKEN",
    "BoardFacts",
    "PublishedDraw",
    "board_addresses",
    "board_facts",
    "board_live",
    "board_of",
    "complaint_phone",
    "published_city",
    "published_draw",
    "published_draws",
]
