"""Pieces every feature folder shares: the declarative base, column types, time helpers."""
