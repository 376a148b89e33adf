"""Operator tasks that look after a whole instance rather than one competition (backups)."""
