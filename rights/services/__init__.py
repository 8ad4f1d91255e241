"""Writes of the worker's side and the public's: the rights board (board), one-time codes (codes),
complaints and their handling (complaints), a worker's answer to his exit settlement (settlement)."""

from rights.services.board import board_contact_set, board_issue, board_revoke

__all__ = ["board_contact_set", "board_issue", "board_revoke"]
