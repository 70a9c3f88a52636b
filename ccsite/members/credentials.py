"""Members and their credentials, kept in a secrets folder outside content/ and every output.

`ccsite members add` makes a passphrase of seven words from the EFF long word list (7776
words, so 7 x 12.9 = 90 bits of entropy), shows it once, and keeps only what the two
protection modes need, none of which opens anything by itself:
- `server` mode: a bcrypt hash (cost 5: see BCRYPT_COST) for the web server's password file;
- `encrypt` mode: the member's public key (ECDH P-256). Its private key is the passphrase
  stretched by PBKDF2-HMAC-SHA256 (600,000 iterations) and mapped to a P-256 scalar; only
  the member's browser ever computes it again. Each build wraps that build's content key
  to every member's public key (protect.py), so a copy of the secrets folder (a backup, a
  CI secret) can add members to future builds but cannot open any build.
The passphrase and the private key are never stored.

One PBKDF2 salt serves the whole store (made with its first member, published with every
build): the browser then derives once, whatever the number of members, and finds its slot
by a key id. A salt per member would make it derive once per slot. The salt must be known
when a member is added (their public key is computed then), so it cannot change per build;
the per-build ephemeral key is what makes every build's slots new.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import unicodedata
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

import bcrypt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from ..buildinfo import default_secrets_folder  # noqa: F401 (the members' folder's place)
from ..write import write_whole

PASSPHRASE_WORDS = 7
PBKDF2_ITERATIONS = 600_000
# The web servers check a member's passphrase at every request of the members area (HTTP
# basic authentication: each page, each image), against this hash. At bcrypt's usual cost
# (12) each check took a quarter of a second of the server's time: a page with 45 pictures
# held a core for eleven seconds. The cost of a hash is what makes a weak password slow to
# guess once the hash is stolen; a passphrase of 7 words drawn from 7,776 (EFF's list) is
# 90 bits, which no guessing reaches at any cost. So the cost is bcrypt's least but one.
BCRYPT_COST = 5
STORE_FILE = "members.json"
URL_KEY_FILE = "url-key"
READ_BY_BUILDS = (STORE_FILE, URL_KEY_FILE)  # the files of the secrets folder a build reads
PRIVATE = 0o600  # the mode of the folder's files: its owner's alone
LOCK_FILE = ".members.lock"  # held while the members are changed (see MemberStore.changing)
STORE_VERSION = 2  # 1 (no "version"): a PBKDF2 key per member, which opened the area itself
# a person's name as they write it: letters of any alphabet's Latin form (Siobhán, Zoë),
# digits, spaces, dots, apostrophes (straight or curly) and hyphens
NAME_RE = re.compile(r"^[^\W_][\w .'’-]{0,63}$")
# the order n of P-256's base point (SEC 2, section 2.4.2)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
SCALAR_SOURCE_BYTES = 48  # 128 bits more than n has, so reducing mod n-1 has bias 2^-128


class CredentialError(Exception):
    """A mistake in a members command (unknown name, duplicate, bad folder)."""


@dataclass(frozen=True)
class Member:
    name: str
    email: str | None
    bcrypt_hash: str  # "$2b$05$..."
    # base64 of the uncompressed P-256 point (65 bytes); None for a member added by an older
    # ccsite, who needs a new passphrase (`ccsite members rekey`) before an encrypted build
    public_key: str | None

    @property
    def login(self) -> str:
        return login_of(self.name)


def login_of(name: str) -> str:
    """The user name for HTTP authentication: the name without spaces, lower case, its
    letters without accents (Siobhán -> siobhan), as a phone's keyboard types it."""
    plain = unicodedata.normalize("NFKD", name.replace("’", "'"))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9._-]+", "-", plain.lower()).strip("-")


@dataclass(frozen=True)
class Stretching:
    """How every member's passphrase becomes a private key: one salt for the whole store."""
    salt: str  # base64, 16 bytes
    iterations: int

    @classmethod
    def new(cls) -> "Stretching":
        return cls(salt=base64.b64encode(os.urandom(16)).decode(), iterations=PBKDF2_ITERATIONS)


@dataclass(frozen=True)
class Roster:
    """Everything in members.json: the members and how their passphrases are stretched
    (None until the first member is added with this version of ccsite)."""
    members: list[Member]
    stretching: Stretching | None

    def without_public_keys(self) -> list[Member]:
        return [m for m in self.members if m.public_key is None]


def word_list() -> list[str]:
    from xkcdpass import xkcd_password

    words = xkcd_password.generate_wordlist(
        wordfile=xkcd_password.locate_wordfile("eff-long"), min_length=1, max_length=20)
    return sorted(set(words))


def new_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    vocabulary = word_list()
    return " ".join(secrets.choice(vocabulary) for _ in range(words))


def normalise(passphrase: str) -> str:
    """The passphrase as the sign-in page reads it: lower case, single spaces (members.js)."""
    return " ".join(passphrase.lower().split())


def private_key(passphrase: str, stretching: Stretching) -> ec.EllipticCurvePrivateKey:
    """PBKDF2 of the passphrase mapped to a P-256 scalar as FIPS 186-5 A.2.1 does (and
    noble's mapHashToField, which the browser uses): (c mod (n - 1)) + 1, never 0."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=SCALAR_SOURCE_BYTES,
                     salt=base64.b64decode(stretching.salt), iterations=stretching.iterations)
    stretched = kdf.derive(normalise(passphrase).encode("utf-8"))
    scalar = int.from_bytes(stretched, "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def point_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    """The uncompressed point (0x04 || x || y), as noble's getPublicKey(key, false) gives."""
    return key.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)


def make_member(name: str, email: str | None, passphrase: str, stretching: Stretching) -> Member:
    public = point_bytes(private_key(passphrase, stretching).public_key())
    return Member(
        name=name, email=email,
        bcrypt_hash=bcrypt.hashpw(passphrase.encode(), bcrypt.gensalt(BCRYPT_COST)).decode(),
        public_key=base64.b64encode(public).decode())


def rekey_message(members: list[Member]) -> str | None:
    """What to do about members added by an older ccsite (None when there are none)."""
    many = len(members) > 1
    return _rekey(members, f"{len(members)} member{'s were' if many else ' was'} added by "
                  "an older ccsite, which kept a key that opens the members area by itself; "
                  "that key is no longer used")


def _rekey(members: list[Member], why: str) -> str | None:
    """`why`, and the command that gives each of `members` a new passphrase; None for none."""
    if not members:
        return None
    names = [m.name for m in members]
    others = f" (and the same for {', '.join(names[1:])})" if len(names) > 1 else ""
    return (f"{why}: give {'each' if len(names) > 1 else 'them'} a new passphrase with: "
            f"ccsite members rekey \"{names[0]}\"{others}")


def slow_hash_message(members: list[Member]) -> str | None:
    """What to do about members whose hash an older ccsite made at bcrypt's cost 12 (None
    when there are none): the web server takes a quarter of a second to check each try at
    their login, a right one or a wrong one, so anyone who knows the login (made from a
    name) can keep the server busy; rekeyed, their hash is quick like the others'."""
    slow = [m for m in members if _cost(m.bcrypt_hash) > BCRYPT_COST]
    return _rekey(slow, f"{len(slow)} member{'s have' if len(slow) > 1 else ' has'} a "
                  "passphrase hash from an older ccsite that takes the web server a quarter "
                  "of a second to check, at every request and at every wrong try, which "
                  "anyone may use to slow the site down")


def _cost(bcrypt_hash: str) -> int:
    try:
        return int(bcrypt_hash.split("$")[2])
    except (IndexError, ValueError):
        return 0


class MemberStore:
    """The secrets folder: members.json, readable by its owner only (mode 0600)."""

    def __init__(self, folder: Path, waiting: Callable[[], None] = lambda: None):
        self.folder = folder
        self.path = folder / STORE_FILE
        self.waiting = waiting  # told when a change waits for another's (see `changing`)

    def load(self) -> list[Member]:
        return self.read().members

    def read(self) -> Roster:
        """The store as it is now. A store written by an older ccsite is read too: its
        members keep their bcrypt hash (server mode) and have no public key; the key it
        kept per member is ignored, and gone from the file at the next save."""
        if not self.path.exists():
            return Roster(members=[], stretching=None)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            stretching = data.get("stretching")
            return Roster(
                members=[Member(name=item["name"], email=item.get("email"),
                                bcrypt_hash=item["bcrypt_hash"],
                                public_key=item.get("public_key"))
                         for item in data["members"]],
                stretching=Stretching(**stretching) if stretching else None)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CredentialError(f"{self.path}: cannot be read ({exc}); restore it from "
                                  "a backup or remove it and add the members again") from None

    def save(self, roster: Roster, not_done: str = "the change was not made") -> None:
        """Keep `roster`; CredentialError, saying what was `not_done`, when it cannot be
        kept (a full disk): a member told "added" or "removed" above, and then a line
        blaming the command's output, took it for done."""
        data = {"version": STORE_VERSION,
                "stretching": asdict(roster.stretching) if roster.stretching else None,
                "members": [asdict(m) for m in sorted(roster.members,
                                                      key=lambda m: m.name.lower())]}
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.folder, 0o700)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                write_whole(gitignore, b"# secrets: never commit this folder\n*\n", PRIVATE)
            write_whole(self.path, (json.dumps(data, indent=2) + "\n").encode(), PRIVATE)
        except OSError as exc:
            raise CredentialError(f"{self.path}: cannot be saved ({exc.strerror or exc}), "
                                  f"so {not_done}; make room on its disk (or let this user "
                                  "write there) and run the command again") from None

    def add(self, name: str, email: str | None,
            show: Callable[[Member, str], None] = lambda member, passphrase: None
            ) -> tuple[Member, str]:
        """Add a member with a new passphrase, given to `show` before the store is saved:
        a passphrase that could not be shown (the command's output closed, a full disk)
        raises there, and the member is not added, where it was added with a passphrase
        nobody would ever see."""
        name = name.strip()
        if not NAME_RE.match(name):
            raise CredentialError(f"'{name}' is not a usable member name: use letters, digits, "
                                  "spaces, dots, apostrophes and hyphens (up to 64 "
                                  "characters)")
        if not login_of(name):
            raise CredentialError(f"'{name}' gives no login a keyboard can type: add the "
                                  "name in Latin letters too (e.g. 'Zhang Wei 张伟')")
        with self.changing():
            roster = self.read()
            if any(m.name.lower() == name.lower() for m in roster.members):
                raise CredentialError(f"there is already a member called '{name}'")
            if any(m.login == login_of(name) for m in roster.members):
                raise CredentialError(f"'{name}' would have the same login as another member")
            return self._with_new_passphrase(roster, name, email, [], show)

    def rekey(self, name: str,
              show: Callable[[Member, str], None] = lambda member, passphrase: None
              ) -> tuple[Member, str]:
        """A new passphrase for a member (lost, or added by an older ccsite), given to
        `show` before it is kept (see `add`): the old one stops working at the next build
        (and at once in server mode's password file)."""
        with self.changing():
            roster = self.read()
            member = self._find(roster, name)
            return self._with_new_passphrase(roster, member.name, member.email, [member], show)

    def remove(self, name: str) -> Member:
        with self.changing():
            roster = self.read()
            member = self._find(roster, name)
            self.save(Roster([m for m in roster.members if m is not member], roster.stretching),
                      f"{member.name} was NOT removed, and can still sign in")
            return member

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """One change of the members at a time: each reads the store, works out a new
        passphrase's hashes (a second or so) and writes the whole store back, so two run
        at once (a script adding several, one removing a leaver while another adds)
        kept only the last one's, and a member removed kept their access while both
        commands said they were done. The next waits for the one before to finish, and
        says so (`waiting`): one stopped with Ctrl-Z holds up the others."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW,
                         0o600)  # (never a file a link planted here names)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # (which lets go of the lock)

    def _find(self, roster: Roster, name: str) -> Member:
        for member in roster.members:
            if member.name.lower() == name.strip().lower():
                return member
        known = ", ".join(m.name for m in roster.members) or "none"
        raise CredentialError(f"there is no member called '{name}' (members: {known})")

    def _with_new_passphrase(self, roster: Roster, name: str, email: str | None,
                             replaced: list[Member],
                             show: Callable[[Member, str], None]) -> tuple[Member, str]:
        stretching = roster.stretching or Stretching.new()
        passphrase = new_passphrase()
        member = make_member(name, email, passphrase, stretching)
        kept = [m for m in roster.members if not any(m is r for r in replaced)]
        show(member, passphrase)
        self.save(Roster([*kept, member], stretching), (
            f"{name}'s old passphrase still works, and the one shown above does not"
            if replaced else f"{name} was NOT added, and the passphrase shown above does "
            "not work"))
        return member, passphrase

    def url_key(self) -> bytes:
        """A secret of this site that names encrypted files opaquely and stably."""
        path = self.folder / URL_KEY_FILE
        if not path.exists():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_whole(path, base64.b64encode(os.urandom(32)) + b"\n", PRIVATE)
        return base64.b64decode(path.read_text(encoding="utf-8").strip())

    def htpasswd(self) -> str:
        """The password file for nginx auth_basic and Apache AuthUserFile (bcrypt lines)."""
        # $2y$ is the same bcrypt as $2b$, and the prefix both Apache and nginx accept
        return "".join(f"{m.login}:$2y${m.bcrypt_hash[4:]}\n" for m in self.load())
