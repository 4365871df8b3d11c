from pydantic import BaseModel, Field


class CheckpointOut(BaseModel):
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


class ConsistencyOut(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class Finding(BaseModel):
    problem: str = Field(description="changed, deleted, unlogged, leaf_altered, tree_altered, checkpoint_*")
    record: str | None
    detail: str


class AuditReport(BaseModel):
    tree_size: int
    checkpoint_size: int | None
    records_checked: int
    findings: list[Finding]
