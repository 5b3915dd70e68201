"""Sentence encoders and the persisted vector index. Imports nothing of the project's."""
