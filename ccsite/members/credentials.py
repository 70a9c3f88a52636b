"""Members and their credentials, kept in a secrets folder outside content/ and every output.

`ccsite members add` makes a passphrase of seven words from the EFF long word list (7776
words, so 7 x 12.9 = 90 bits of entropy), shows it once, and keeps only what the two
protection modes need:
- `server` mode: a bcrypt hash (cost 12) for the web server's password file;
- `encrypt` mode: a key-encryption key derived from the passphrase with PBKDF2-HMAC-SHA256
  (600,000 iterations, a 16-byte random salt per member), which the build uses to wrap that
  build's content key in the member's key slot.
The passphrase itself is never stored.
"""
from __future__ import annotations

import base64
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

import bcrypt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

PASSPHRASE_WORDS = 7
PBKDF2_ITERATIONS = 600_000
BCRYPT_COST = 12
STORE_FILE = "members.json"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .'_-]{0,63}$")


class CredentialError(Exception):
    """A mistake in a members command (unknown name, duplicate, bad folder)."""


@dataclass(frozen=True)
class Member:
    name: str
    email: str | None
    bcrypt_hash: str  # "$2b$12$..."
    salt: str  # base64, 16 bytes
    iterations: int
    kek: str  # base64, 32 bytes: PBKDF2(passphrase, salt, iterations)

    @property
    def login(self) -> str:
        """The user name for HTTP authentication: the name without spaces, lower case."""
        return re.sub(r"[^a-z0-9._-]+", "-", self.name.lower()).strip("-")

    def key_encryption_key(self) -> bytes:
        return base64.b64decode(self.kek)


def check_location(folder: Path, source: Path, output: Path | None = None) -> str | None:
    """Why `folder` is a bad place for secrets (inside content/ or an output), or None."""
    place = folder.resolve()
    for root, what in ((source, "the content folder"), (output, "the output folder")):
        if root is None:
            continue
        try:
            place.relative_to(root.resolve())
        except ValueError:
            continue
        return f"the secrets folder {folder} is inside {what}, where it could be " \
               "published; keep it beside content/ (the default: .ccsite-secrets/)"
    return None


def default_secrets_folder(source: Path) -> Path:
    """`.ccsite-secrets/` beside the content folder: outside content/ and every output."""
    return source.resolve().parent / ".ccsite-secrets"


def word_list() -> list[str]:
    from xkcdpass import xkcd_password

    words = xkcd_password.generate_wordlist(
        wordfile=xkcd_password.locate_wordfile("eff-long"), min_length=1, max_length=20)
    return sorted(set(words))


def new_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    vocabulary = word_list()
    return " ".join(secrets.choice(vocabulary) for _ in range(words))


def derive_kek(passphrase: str, salt: bytes, iterations: int = PBKDF2_ITERATIONS) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(passphrase.encode("utf-8"))


def make_member(name: str, email: str | None, passphrase: str) -> Member:
    salt = os.urandom(16)
    return Member(
        name=name, email=email,
        bcrypt_hash=bcrypt.hashpw(passphrase.encode(), bcrypt.gensalt(BCRYPT_COST)).decode(),
        salt=base64.b64encode(salt).decode(), iterations=PBKDF2_ITERATIONS,
        kek=base64.b64encode(derive_kek(passphrase, salt)).decode())


class MemberStore:
    """The secrets folder: members.json, readable by its owner only (mode 0600)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / STORE_FILE

    def load(self) -> list[Member]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [Member(**item) for item in data["members"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise CredentialError(f"{self.path}: cannot be read ({exc}); restore it from "
                                  "a backup or remove it and add the members again") from None

    def save(self, members: list[Member]) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        gitignore = self.folder / ".gitignore"
        if not gitignore.exists():
            write_private(gitignore, "# secrets: never commit this folder\n*\n")
        data = {"members": [asdict(m) for m in sorted(members, key=lambda m: m.name.lower())]}
        write_private(self.path, json.dumps(data, indent=2) + "\n")

    def add(self, name: str, email: str | None) -> tuple[Member, str]:
        name = name.strip()
        if not NAME_RE.match(name):
            raise CredentialError(f"'{name}' is not a usable member name: use letters, digits, "
                                  "spaces, dots, hyphens (up to 64 characters)")
        members = self.load()
        if any(m.name.lower() == name.lower() for m in members):
            raise CredentialError(f"there is already a member called '{name}'")
        passphrase = new_passphrase()
        member = make_member(name, email, passphrase)
        if any(m.login == member.login for m in members):
            raise CredentialError(f"'{name}' would have the same login as another member")
        self.save([*members, member])
        return member, passphrase

    def remove(self, name: str) -> Member:
        members = self.load()
        for member in members:
            if member.name.lower() == name.strip().lower():
                self.save([m for m in members if m is not member])
                return member
        known = ", ".join(m.name for m in members) or "none"
        raise CredentialError(f"there is no member called '{name}' (members: {known})")

    def url_key(self) -> bytes:
        """A secret of this site that names encrypted files opaquely and stably."""
        path = self.folder / "url-key"
        if not path.exists():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(path, base64.b64encode(os.urandom(32)).decode() + "\n")
        return base64.b64decode(path.read_text(encoding="utf-8").strip())

    def htpasswd(self) -> str:
        """The password file for nginx auth_basic and Apache AuthUserFile (bcrypt lines)."""
        # $2y$ is the same bcrypt as $2b$, and the prefix both Apache and nginx accept
        return "".join(f"{m.login}:$2y${m.bcrypt_hash[4:]}\n" for m in self.load())


def write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, without a moment of wider permissions."""
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temp, 0o600)
    os.replace(temp, path)
