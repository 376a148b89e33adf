"""The national operator's administration: municipalities, their import, their staff and
the invitations that bring people into a role (issue 22)."""
