"""Local-initiative grant competitions for Kyrgyz municipalities.

``flask --app initiatives ...`` finds ``create_app`` here.
"""

from initiatives.app import create_app

__all__ = ["create_app"]
