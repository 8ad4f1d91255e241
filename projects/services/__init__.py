"""Writes of the registry (style.md: `<entity>_<action>(*, …)`)."""
