"""Certificates that cannot be forged: signed QR codes, Persian PDFs, verification and forgery reports."""
