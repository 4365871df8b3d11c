"""The tamper-evident ledger: an append-only RFC 9162 Merkle log of every change, with signed checkpoints.

It knows no feature: features append leaves in their own transactions and hand the audit their current
records through `RecordSource`.
"""
