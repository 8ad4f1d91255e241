"""The regulators' dashboard: server-rendered pages over the same selectors and services as the API."""
