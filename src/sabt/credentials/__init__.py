"""Credentials a holder shows to services that did not write Sabt: the ID Claim 169 identity QR."""
