"""The one keys package: every Ed25519 key the registry signs with (the ledger's head and checkpoints,
certificates, eKYC releases, card revocation lists, webhook bodies) behind one port, and the server's own
local secrets (partner tokens, form tokens, sealed second factors).

Three key stores, chosen by `SABT_KEY_STORE`: key files in the data directory (the default, and the demo's);
a PKCS#11 token (a hardware security module; SoftHSM2 in tests), where the private keys never leave the token
and no signing key file exists on the server at all; and memory, the fake, for tests only: what it signed
cannot be verified once the process ends. Keys are named by label: `ledger`, `certificate-<key id>`. The
local secrets are files in the data directory whichever store signs.
"""

from ..config import Settings
from .files import FileKeyStore, load_key, local_secret
from .memory import MemoryKeyStore
from .pkcs11 import Pkcs11KeyStore
from .store import KeyStore, Signer

__all__ = [
    "FileKeyStore",
    "KeyStore",
    "MemoryKeyStore",
    "Pkcs11KeyStore",
    "Signer",
    "load_key",
    "local_secret",
    "open_key_store",
]


def open_key_store(settings: Settings) -> KeyStore:
    if settings.key_store == "pkcs11":
        return Pkcs11KeyStore(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin_value())
    if settings.key_store == "memory":
        return MemoryKeyStore()
    return FileKeyStore(settings.key_file)
