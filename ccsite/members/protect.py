"""How the members section is protected once published: `server` or `encrypt` mode.

`server`: members pages become an output root of their own (`<output>/members/`), to be
served at /members/ behind the web server's authentication; `deploy_files` writes ready
configuration for the web team (never inside a served root).

`encrypt`: for hosts without authentication. All members pages, their search index and
their files are encrypted with AES-256-GCM under a content key made anew for every build,
and published inside the public root. Pages are bundled into one ciphertext, so not even
the number or the addresses of posts can be seen; files get opaque names. The only
plaintext is the sign-in page, which holds no members content.

The content key reaches members through `keys.json`: the build makes an ephemeral P-256
key, and for each member an ECDH shared secret with their public key (credentials.py),
from which HKDF gives a slot id and an AES key-wrap key; the slot is that id and the
content key wrapped (AES-KW, RFC 3394). The browser derives the member's private key from
the passphrase (one PBKDF2, with the store's one salt), computes the same shared secret
with the ephemeral public key, and looks its slot up by id: one derivation, whatever the
number of members. Nothing the build keeps can open a slot: only a private key can.

What an outsider still learns, and what is hidden (README, "How the area is protected"):
- the slot list is padded with random slots of the same shape to a multiple of
  SLOT_STEP, and every slot is new each build (new ephemeral key), so neither the exact
  number of members nor who joined or left can be read;
- every encrypted file is padded (inside the ciphertext) to a Padmé size (padded_size),
  so its exact length cannot be read either.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from .credentials import Member, Stretching, point_bytes, private_key
from .pages import main_part, title_of

BUNDLE = "members/bundle.enc"
KEYS = "members/keys.json"
MAGIC = b"CCS2"  # format marker at the start of every encrypted file (2: padded)
BUNDLE_AAD = b"ccsite members bundle v1"
SLOT_INFO = b"ccsite members key slot v2"  # HKDF info, followed by both public points
SLOT_ID_BYTES = 16
SLOT_STEP = 32  # the slot list is a multiple of this long
LENGTH_BYTES = 8  # the true length, first in every padded plaintext
SEALED_OVERHEAD = len(MAGIC) + 12 + LENGTH_BYTES + 16  # magic, nonce, length, GCM tag
SMALLEST_FILE = 4096  # every encrypted file is at least this long
MEDIA_FOLDER = "members/media/"  # the members files' addresses, under the site's base path
FILE_ATTRIBUTE = "data-members-file-"  # an attribute naming a members file, made inert


@dataclass(frozen=True)
class Encrypted:
    files: dict[str, bytes]  # public output path -> bytes
    content_key: bytes  # kept only for tests and never written anywhere


def encrypt_members(pages: dict[str, str], media: dict[str, Path], members: list[Member],
                    stretching: Stretching, shell_html: str, base_path: str,
                    url_key: bytes) -> Encrypted:
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
            main = inert_file_references(main_part(text), url, base_path + MEDIA_FOLDER)
            bundle["pages"][url] = {"title": title_of(text), "main": main}
        elif path.endswith("search-index.json"):
            bundle["search"] = json.loads(text)
        elif path.endswith("feed.xml"):
            bundle["feed"] = text
    plaintext = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode("utf-8")
    files[BUNDLE] = seal(key, plaintext, BUNDLE_AAD)
    files[KEYS] = json.dumps(key_slots(key, members, stretching), indent=1).encode("utf-8")
    return Encrypted(files=files, content_key=key)


# -- members files named in a page ----------------------------------------------------------

def inert_file_references(html: str, page_url: str, media_prefix: str) -> str:
    """`html` with every attribute that names a members file made inert: renamed
    FILE_ATTRIBUTE + its name, its value the file's address as the bundle's media map
    has it. The shown page is put into the DOM whole: an <img src> of a members file
    would be asked of the host in clear (a 404 there, its name in the host's logs and the
    page in Referer) before any script could swap in the decrypted file. A data
    attribute loads nothing; members.js sets the real one to the decrypted file. Every
    attribute is looked at, not a list of those that load (src, srcset, href, poster,
    data...): a name missed from such a list would reach the host."""
    out, at = [], 0
    for start, end, tag, attributes in _start_tags(html):
        files = [_members_file(value, page_url, media_prefix) for _, value in attributes]
        if any(files):
            out += [html[at:start], _start_tag(tag, attributes, files, html[end - 2:end])]
            at = end
    return "".join(out) + html[at:]


def _members_file(value: str | None, page_url: str, media_prefix: str) -> str | None:
    """The members file an attribute's value names (its site path, unquoted, as the media
    map has it), the value itself when it names one otherwise (among other addresses, as
    in a srcset, or on another host): inert, never resolved; None when it names none."""
    if value is None:
        return None
    path = unquote(urlsplit(urljoin(page_url, value)).path)
    if path.startswith(media_prefix) and not urlsplit(value).netloc:
        return path
    return value if media_prefix in unquote(value) else None


def _start_tag(tag: str, attributes: list, files: list, ending: str) -> str:
    written = [f" {FILE_ATTRIBUTE}{name}=\"{escape(file)}\"" if file
               else f" {name}" if value is None else f" {name}=\"{escape(value)}\""
               for (name, value), file in zip(attributes, files)]
    return f"<{tag}{''.join(written)}{'/>' if ending == '/>' else '>'}"


class _StartTags(HTMLParser):
    """Each start tag of a page: where it is, its name and its attributes (unescaped)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, int, str, list]] = []
        self._lines = [0, *(m.end() for m in re.finditer("\n", html))]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attributes: list) -> None:
        line, column = self.getpos()
        start = self._lines[line - 1] + column
        self.found.append((start, start + len(self.get_starttag_text()), tag, attributes))


def _start_tags(html: str) -> list[tuple[int, int, str, list]]:
    return _StartTags(html).found


# -- encrypted files -------------------------------------------------------------------------

def padded_size(size: int) -> int:
    """The size an encrypted file of `size` bytes is padded to: Padmé (Nikitin et al.,
    "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", PETS
    2019), at least SMALLEST_FILE. Padmé keeps the top log2(log2(size)) + 1 bits of the
    size and rounds the rest up, so it costs at most 12% (a power of two can cost 100%,
    painful for a large bundle on a phone) while a size shows only about log log of its
    bits (fixed 4 KiB steps would tell a 2 MB file's size to within 0.2%)."""
    size = max(size, SMALLEST_FILE)
    exponent = size.bit_length() - 1  # floor(log2(size))
    kept = exponent.bit_length()  # floor(log2(exponent)) + 1
    mask = (1 << (exponent - kept)) - 1
    return (size + mask) & ~mask


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """MAGIC + 12-byte nonce + AES-256-GCM of (8-byte length + plaintext + zero padding),
    the whole file padded_size long. A fresh nonce every time."""
    padding = padded_size(len(plaintext) + SEALED_OVERHEAD) - len(plaintext) - SEALED_OVERHEAD
    framed = len(plaintext).to_bytes(LENGTH_BYTES, "big") + plaintext + bytes(padding)
    nonce = os.urandom(12)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, framed, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if not sealed.startswith(MAGIC):
        raise ValueError("not a ccsite encrypted file")
    nonce, ciphertext = sealed[4:16], sealed[16:]
    framed = AESGCM(key).decrypt(nonce, ciphertext, aad)
    length = int.from_bytes(framed[:LENGTH_BYTES], "big")
    return framed[LENGTH_BYTES:LENGTH_BYTES + length]


# -- key slots -------------------------------------------------------------------------------

def key_slots(key: bytes, members: list[Member], stretching: Stretching) -> dict:
    """keys.json: the content key wrapped to every member's public key, among random slots."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    ephemeral_point = point_bytes(ephemeral.public_key())
    slots = []
    for member in members:
        point = base64.b64decode(member.public_key)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        slot_id, wrapping = _slot_keys(ephemeral.exchange(ec.ECDH(), public),
                                       ephemeral_point, point)
        slots.append((slot_id, aes_key_wrap(wrapping, key)))
    while not slots or len(slots) % SLOT_STEP:  # random, shaped like a real slot
        slots.append((os.urandom(SLOT_ID_BYTES), os.urandom(len(key) + 8)))
    # ordered by id (random each build), so the order says nothing about who the members are
    return {"version": 2, "kdf": "PBKDF2-HMAC-SHA256", "salt": stretching.salt,
            "iterations": stretching.iterations, "curve": "P-256",
            "ephemeral": _b64(ephemeral_point), "wrap": "HKDF-SHA256, AES-KW",
            "slots": sorted(({"id": _b64(i), "key": _b64(w)} for i, w in slots),
                            key=lambda slot: slot["id"])}


def open_key_slots(keys_json: bytes, passphrase: str) -> bytes | None:
    """What the browser does (members.js), in Python: one derivation, then the slot by id."""
    keys = json.loads(keys_json)
    own = private_key(passphrase, Stretching(salt=keys["salt"], iterations=keys["iterations"]))
    return open_key_slots_with(keys, own)


def open_key_slots_with(keys: dict, own: ec.EllipticCurvePrivateKey) -> bytes | None:
    ephemeral_point = base64.b64decode(keys["ephemeral"])
    ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral_point)
    slot_id, wrapping = _slot_keys(own.exchange(ec.ECDH(), ephemeral), ephemeral_point,
                                   point_bytes(own.public_key()))
    for slot in keys["slots"]:
        if hmac.compare_digest(base64.b64decode(slot["id"]), slot_id):
            try:
                return aes_key_unwrap(wrapping, base64.b64decode(slot["key"]))
            except InvalidUnwrap:
                return None
    return None


def _slot_keys(shared: bytes, ephemeral_point: bytes, member_point: bytes) -> tuple[bytes, bytes]:
    """HKDF of the ECDH shared secret (its x coordinate), bound to both public points as
    HPKE binds its KEM context: the slot's id, and the key that wraps the content key."""
    derived = HKDF(algorithm=hashes.SHA256(), length=SLOT_ID_BYTES + 32, salt=None,
                   info=SLOT_INFO + ephemeral_point + member_point).derive(shared)
    return derived[:SLOT_ID_BYTES], derived[SLOT_ID_BYTES:]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _opaque_name(url_key: bytes, path: str) -> str:
    return hmac.new(url_key, path.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
