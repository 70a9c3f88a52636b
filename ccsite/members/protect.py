"""How the members section is protected once published: `server` or `encrypt` mode.

`server`: members pages become an output root of their own (`<output>/members/`), to be
served at /members/ behind the web server's authentication; `deploy_files` writes ready
configuration for the web team (never inside a served root).

`encrypt`: for hosts without authentication. All members pages, their search index and
their files are encrypted with AES-256-GCM under a content key made anew for every build,
and published inside the public root. The content key is wrapped once per member under
that member's key-encryption key (PBKDF2-HMAC-SHA256 of their passphrase, kept in the
secrets folder), so each member opens the section with their own passphrase and a removed
member cannot open anything built after their removal. Pages are bundled into one
ciphertext, so not even the number or the addresses of posts can be seen; files get
opaque names. The only plaintext is the sign-in page, which holds no members content.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .credentials import Member
from .pages import main_part, title_of

BUNDLE = "members/bundle.enc"
KEYS = "members/keys.json"
MAGIC = b"CCS1"  # format marker at the start of every encrypted file
KEY_SLOT_AAD = b"ccsite members content key v1"
BUNDLE_AAD = b"ccsite members bundle v1"


@dataclass(frozen=True)
class Encrypted:
    files: dict[str, bytes]  # public output path -> bytes
    content_key: bytes  # kept only for tests and never written anywhere


def encrypt_members(pages: dict[str, str], media: dict[str, Path], members: list[Member],
                    shell_html: str, base_path: str, url_key: bytes) -> Encrypted:
    """The public files of an encrypted members section.

    `pages`: output path ("members/...") -> rendered text (HTML pages, feed, search index);
    `media`: output path of a members file -> its source; `url_key` names files opaquely.
    """
    key = AESGCM.generate_key(bit_length=256)
    files: dict[str, bytes] = {"members/index.html": shell_html.encode("utf-8")}
    media_map = {}
    for path, source in sorted(media.items()):
        name = _opaque_name(url_key, path) + ".enc"
        opaque = "members/files/" + name
        files[opaque] = seal(key, source.read_bytes(), name.encode())  # bound to its name
        media_map[base_path + path] = base_path + opaque
    bundle = {"pages": {}, "search": None, "media": media_map, "feed": None}
    for path, text in sorted(pages.items()):
        url = base_path + path.removesuffix("index.html")
        if path.endswith(".html"):
            bundle["pages"][url] = {"title": title_of(text), "main": main_part(text)}
        elif path.endswith("search-index.json"):
            bundle["search"] = json.loads(text)
        elif path.endswith("feed.xml"):
            bundle["feed"] = text
    plaintext = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode("utf-8")
    files[BUNDLE] = seal(key, plaintext, BUNDLE_AAD)
    files[KEYS] = json.dumps(_key_slots(key, members), indent=1).encode("utf-8")
    return Encrypted(files=files, content_key=key)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """MAGIC + 12-byte nonce + AES-256-GCM ciphertext and tag. A fresh nonce every time."""
    nonce = os.urandom(12)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if not sealed.startswith(MAGIC):
        raise ValueError("not a ccsite encrypted file")
    nonce, ciphertext = sealed[4:16], sealed[16:]
    return AESGCM(key).decrypt(nonce, ciphertext, aad)


def unwrap_content_key(keys_json: bytes, key_encryption_key: bytes) -> bytes | None:
    """What the browser does, in Python: try each slot with one member's key."""
    for slot in json.loads(keys_json)["slots"]:
        wrapped = base64.b64decode(slot["wrapped"])
        try:
            return AESGCM(key_encryption_key).decrypt(wrapped[:12], wrapped[12:], KEY_SLOT_AAD)
        except Exception:
            continue
    return None


def _key_slots(key: bytes, members: list[Member]) -> dict:
    slots = []
    for member in members:
        nonce = os.urandom(12)
        wrapped = nonce + AESGCM(member.key_encryption_key()).encrypt(nonce, key, KEY_SLOT_AAD)
        slots.append({"salt": member.salt, "iterations": member.iterations,
                      "wrapped": base64.b64encode(wrapped).decode()})
    # ordered by salt (random), so the order says nothing about who the members are
    return {"version": 1, "kdf": "PBKDF2-HMAC-SHA256", "cipher": "AES-256-GCM",
            "slots": sorted(slots, key=lambda s: s["salt"])}


def _opaque_name(url_key: bytes, path: str) -> str:
    return hmac.new(url_key, path.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
