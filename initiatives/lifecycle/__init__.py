"""Changing the state of a competition or an application: the one way, ``fire``."""
