"""Backups encrypted at rest and in transit (GB/T 22239-2019 8.1.4.9): with a Fernet key
(AES-128-CBC and HMAC-SHA256, from `cryptography`), given as KPI_BACKUP_KEY either as such a
key or as a passphrase from which scrypt derives one with a salt stored in the file.

A file: MAGIC, one byte saying which ("K" key, "P" passphrase), for a passphrase its
16-byte salt, then the Fernet token.
"""

import base64
import binascii
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"KPI-BACKUP-1\n"
SALT_BYTES = 16


class WrongKey(Exception):
    pass


def is_fernet_key(key):
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def passphrase_key(passphrase, salt):
    derived = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    return base64.urlsafe_b64encode(derived)


def encrypt(data, key):
    if is_fernet_key(key):
        return MAGIC + b"K" + Fernet(key.encode()).encrypt(data)
    salt = os.urandom(SALT_BYTES)
    return MAGIC + b"P" + salt + Fernet(passphrase_key(key, salt)).encrypt(data)


def is_encrypted(head):
    return head.startswith(MAGIC)


def decrypt(blob, key):
    if not is_encrypted(blob):
        raise WrongKey("not an encrypted backup")
    kind, rest = blob[len(MAGIC) : len(MAGIC) + 1], blob[len(MAGIC) + 1 :]
    if kind == b"P":
        fernet = Fernet(passphrase_key(key, rest[:SALT_BYTES]))
        rest = rest[SALT_BYTES:]
    elif is_fernet_key(key):
        fernet = Fernet(key.encode())
    else:
        raise WrongKey("this backup was encrypted with a Fernet key, not a passphrase")
    try:
        return fernet.decrypt(rest)
    except InvalidToken as wrong:
        raise WrongKey("the key does not open this backup") from wrong
