"""Printable documents made from the data: evaluation sheets, draft recognition decisions (.docx and PDF),
certificates with a QR check and their public verification page."""
