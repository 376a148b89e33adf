"""WTForms classes (Flask-WTF), one module per feature. Imports only enums from the app."""
