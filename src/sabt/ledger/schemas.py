from typing import Any

from pydantic import BaseModel, Field


class CheckpointOut(BaseModel):
    id: int = Field(description="The checkpoint's number in the registry")
    size: int
    root: str = Field(description="Root hash, hex")
    note: str = Field(description="The C2SP signed checkpoint note")


class InclusionOut(BaseModel):
    index: int
    leaf: str = Field(description="The leaf's canonical JSON; its hash is SHA-256(0x00 ‖ UTF-8 bytes)")
    leaf_hash: str
    tree_size: int
    root: str
    proof: list[str] = Field(description="RFC 9162 inclusion path, hex, leaf to root")


class RecordProofOut(InclusionOut):
    record: str = Field(description="The record: its table and primary key, e.g. persons/12")
    salt: str = Field(description="The leaf's salt, hex: with the record and the row it opens the commitment")
    content: dict[str, Any] | None = Field(description="The row as committed (every column); null once deleted")


class ConsistencyOut(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class Finding(BaseModel):
    problem: str = Field(
        description="changed, deleted, unlogged, unreadable, leaf_altered, leaf_version, leaf_record, "
        "leaf_opening, tree_altered, head_unsigned, checkpoint_signature, checkpoint_mismatch, not_witnessed, "
        "database_code"
    )
    record: str | None
    detail: str


class AuditReport(BaseModel):
    tree_size: int
    checkpoint_size: int | None
    witnessed_size: int | None = None
    records_checked: int
    findings: list[Finding]
