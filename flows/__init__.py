"""Prefect flows: thin orchestration over the wirewatch library (all logic lives in src/wirewatch)."""
