"""In-app notifications with an e-mail copy when SMTP is configured."""
