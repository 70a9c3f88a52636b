"""Ready web-server configuration for `server` mode, written to `<output>/deploy/`.

The deploy folder is never inside a served root. Every configuration serves the site over
HTTPS only (plain HTTP answers with a redirect, before any password is asked for, so no
passphrase ever crosses the network in clear), tells browsers to keep to HTTPS (HSTS),
does not name the server's version, and serves the public root at / and the members root
at /members/ behind HTTP authentication against a password file kept outside the site
(exported with `ccsite members htpasswd PATH`). Members pages are sent with
`Cache-Control: private, no-store` (so no shared cache hands a members page to a
stranger) and `X-Robots-Tag: noindex`. Every page gets the Content-Security-Policy of
csp.py; the files editors add (/media/, /members/media/) are sent sandboxed (see
`media_headers`).
"""
from __future__ import annotations

import grp
import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

from .. import csp
from ..editor.admin import ADMIN_HEADERS, published_policy
from ..model import SiteConfig
from ..render import MEMBERS_HELP

SITE_ROOT = "/var/www/ccsite"  # where the web team copies <output>/public and <output>/members
PASSWORD_FILE = "/etc/ccsite/members.htpasswd"
# PLACEHOLDERS, marked in the configurations: where certbot (Let's Encrypt) keeps a
# host's certificate, and the folder its renewals answer the HTTP challenge from
CERTIFICATE = "/etc/letsencrypt/live/{host}/fullchain.pem"
CERTIFICATE_KEY = "/etc/letsencrypt/live/{host}/privkey.pem"
CHALLENGE_ROOT = "/var/www/letsencrypt"
HSTS = "max-age=31536000"  # a year; no includeSubDomains: the council's other hosts may not be HTTPS
# Every public answer may be kept, but is checked with the server (a 304, with its ETag)
# before it is shown again: the pages change every day (deadlines, what is on), and the
# theme's scripts and stylesheets keep their names from one version to the next, so a
# browser's guess at how long to keep them showed last month's with this month's pages
CACHE = "no-cache"
# what the servers compress on the way (besides HTML, which nginx always does): the
# site's text files; Pagefind's index files come compressed already
COMPRESSED = ("text/css", "application/javascript", "text/javascript", "application/json",
              "application/geo+json", "text/xml", "application/xml", "application/atom+xml",
              "image/svg+xml", "text/calendar", "text/csv", "text/plain")
MEMBERS_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


def security_headers(base_path: str = "/", images: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers of every HTTPS answer; `images`: the map's tile origin, for the public
    pages (csp.policies). The site itself may ask for the visitor's location ("Use my
    location" on /centres/ and What's on); no other site it might be framed in can."""
    return {
        "Content-Security-Policy": csp.header(base_path, images),
        "Cache-Control": CACHE,  # (the members area's own replaces it: MEMBERS_HEADERS)
        "Strict-Transport-Security": HSTS,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    }


def admin_headers(editor, base_path: str = "/") -> dict[str, str]:
    """The headers of the published web editor (/admin/, with site.yaml's `editor:`): its
    own policy, loosened from the site's only as far as Decap and its Git host need
    (editor/admin.py)."""
    return {**security_headers(base_path), **ADMIN_HEADERS,
            "Content-Security-Policy": published_policy(editor)}


def media_headers(base_path: str = "/") -> dict[str, str]:
    """The headers of a file from /media/ or /members/media/: opened on its own, it is a
    sandboxed document (a unique origin: no script, no access to the members area), and
    `nosniff` (in `security_headers`) keeps it the type its name says. Except PDFs: Chrome
    and Safari will not show a PDF in a sandboxed document at all, and their PDF viewers
    do not run with the site's rights (media.py checks a .pdf is one)."""
    return {**security_headers(base_path), "Content-Security-Policy": csp.MEDIA_POLICY}


def deploy_files(config: SiteConfig) -> dict[str, str]:
    host = urlsplit(config.base_url).hostname or "localhost"
    members = config.base_path + "members/"
    realm = config.members_title.replace('"', "'")
    return {
        "README.md": _readme(config, host, members),
        "nginx.conf": _nginx(host, config.base_path, members, realm, config.editor,
                             (config.map.tile_origin,)),
        "apache.conf": _apache(host, config.base_path, members, realm, config.editor,
                               (config.map.tile_origin,)),
        "members.htaccess": _htaccess(realm, members),
        "netlify.md": _netlify(config.base_path, members, (config.map.tile_origin,)),
        "cloudflare-access.md": _cloudflare(host, config.base_path, members),
    }


def _nginx_headers(headers: dict[str, str], indent: str) -> str:
    return "".join(f'{indent}add_header {k} "{v}" always;\n' for k, v in headers.items())


def _nginx_media(prefix: str, base: str, extra: dict[str, str], indent: str) -> str:
    """A location for a media folder (nested in the members one, it keeps its password)."""
    inner = indent + "    "
    return (f"{indent}location {prefix} {{\n"
            + _nginx_headers({**media_headers(base), **extra}, inner)
            + f"{inner}location ~* \\.pdf$ {{\n"
            + _nginx_headers({**security_headers(base), **extra}, inner + "    ")
            + f"{inner}}}\n{indent}}}\n")


def _help_page(base: str) -> str:
    """The public page a failed sign-in shows (render.MEMBERS_HELP)."""
    return base + MEMBERS_HELP.lstrip("/") + "index.html"


def _nginx(host: str, base: str, members: str, realm: str, editor, images) -> str:
    certificate, key = CERTIFICATE.format(host=host), CERTIFICATE_KEY.format(host=host)
    help_page = _help_page(base)
    return f"""# nginx: the public site and the members area (behind a password), over HTTPS only.
# Include this file from nginx.conf's http block (e.g. as /etc/nginx/conf.d/ccsite.conf).
# Get the certificate before the first start (README.md, step 3); then nginx -t and reload.
# (add_header inside a location replaces the server's headers, so each one repeats all.)

# Plain HTTP only sends visitors to HTTPS: no page and no password ever goes in clear.
server {{
    listen 80;
    listen [::]:80;
    server_name {host};
    server_tokens off;

    # certbot renews the certificate through this folder (certbot renew, webroot)
    location /.well-known/acme-challenge/ {{
        root {CHALLENGE_ROOT};
    }}
    location / {{
        return 301 https://{host}$request_uri;
    }}
}}

server {{
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name {host};
    server_tokens off;

    # PLACEHOLDER (CERTIFICATE): where certbot keeps this host's certificate; change
    # both paths if yours is kept elsewhere
    ssl_certificate {certificate};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:ccsite_tls:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;

    root {SITE_ROOT}/public;
    index index.html;
    autoindex off;
    error_page 404 {base}404.html;

    # The data files' types, which nginx's own list lacks (with nosniff, the type sent is
    # final: application/octet-stream is a download, not a calendar to subscribe to). A
    # types block here replaces the http block's list, so that one is included first.
    include /etc/nginx/mime.types;
    types {{
        text/calendar ics;
        text/csv csv;
        application/geo+json geojson;
    }}
    charset utf-8;
    charset_types text/calendar text/csv;
    gzip on;
    gzip_vary on;
    gzip_types {" ".join(COMPRESSED)};
{_nginx_headers(security_headers(base, images), "    ")}
    location {base} {{
        try_files $uri $uri/ =404;
    }}

    # Files editors add are sent sandboxed: never run as a page of the site.
{_nginx_media(base + "media/", base, {}, "    ")}{_nginx_admin(base, editor) if editor else ""}
    # The members area: its own folder, outside the public root, behind a password
    # (typed without its slash, it is the area too, not "Page not found").
    location = {members.rstrip("/")} {{
        return 301 {members};
    }}
    location {members} {{
        alias {SITE_ROOT}/members/;
        index index.html;
        autoindex off;
        auth_basic "{realm}";
        auth_basic_user_file {PASSWORD_FILE};
        # a failed sign-in shows the site's sign-in help (a public page), still with 401;
        # a page not found, the site's own (an error_page here replaces the server's)
        error_page 401 {help_page};
        error_page 404 {base}404.html;
{_nginx_headers({**security_headers(base), **MEMBERS_HEADERS}, "        ")}
{_nginx_media(members + "media/", base, MEMBERS_HEADERS, "        ")}    }}
}}
"""


def _apache_headers(headers: dict[str, str], indent: str, condition: str = "") -> str:
    return "".join(f'{indent}Header always set {k} "{v}"{condition}\n'
                   for k, v in headers.items())


def _apache_media(folder: str, base: str) -> str:
    sandbox = {"Content-Security-Policy": csp.MEDIA_POLICY}
    return (f'    <Directory "{folder}">\n'
            "        # sandboxed, never run as a page of the site (PDFs excepted, see README)\n"
            + _apache_headers(sandbox, "        ", ' "expr=%{REQUEST_URI} !~ m#\\.pdf$#i"')
            + "    </Directory>\n")


def _nginx_admin(base: str, editor) -> str:
    return (f"    # The web editor (site.yaml editor:): its own policy, as far as Decap needs.\n"
            f"    location {base}admin/ {{\n        try_files $uri $uri/ =404;\n"
            + _nginx_headers(admin_headers(editor, base), "        ") + "    }\n")


def _apache_admin(base: str, editor) -> str:
    headers = {**ADMIN_HEADERS, "Content-Security-Policy": published_policy(editor)}
    return (f'    # The web editor (site.yaml editor:): its own policy, as far as Decap needs.\n'
            f'    <Location "{base}admin/">\n'
            + _apache_headers(headers, "        ") + "    </Location>\n")


def _apache(host: str, base: str, members: str, realm: str, editor, images) -> str:
    certificate, key = CERTIFICATE.format(host=host), CERTIFICATE_KEY.format(host=host)
    help_page = _help_page(base)
    return f"""# Apache 2.4: the public site and the members area (behind a password), over HTTPS only.
# Needs mod_ssl, mod_alias, mod_auth_basic, mod_authn_file and mod_headers
# (a2enmod ssl headers); compresses with mod_deflate and mod_filter where they are on (as
# Debian has them). Get the certificate before enabling it (README.md, step 3).

# For the whole server (Apache takes these only there): no version in headers or pages.
ServerTokens Prod
ServerSignature Off

# Plain HTTP only sends visitors to HTTPS: no page and no password ever goes in clear.
<VirtualHost *:80>
    ServerName {host}
    # certbot renews the certificate through this folder (certbot renew, webroot)
    Alias "/.well-known/acme-challenge/" "{CHALLENGE_ROOT}/.well-known/acme-challenge/"
    <Directory "{CHALLENGE_ROOT}">
        Require all granted
    </Directory>
    RedirectMatch permanent "^/(?!\\.well-known/acme-challenge/)(.*)$" "https://{host}/$1"
</VirtualHost>

<VirtualHost *:443>
    ServerName {host}
    SSLEngine on
    # PLACEHOLDER (CERTIFICATE): where certbot keeps this host's certificate; change
    # both paths if yours is kept elsewhere
    SSLCertificateFile "{certificate}"
    SSLCertificateKeyFile "{key}"
    SSLProtocol -all +TLSv1.2 +TLSv1.3

    DocumentRoot "{SITE_ROOT}/public"
    ErrorDocument 404 {base}404.html
    <IfModule mod_deflate.c>
        AddOutputFilterByType DEFLATE text/html {" ".join(COMPRESSED)}
        # (mod_deflate's own ETag for the compressed answer is never matched again: every
        # "has it changed?" would be answered in full, not with a 304)
        <IfDirective DeflateAlterETag>
            DeflateAlterETag NoChange
        </IfDirective>
    </IfModule>
{_apache_headers(security_headers(base, images), "    ")}
    <Directory "{SITE_ROOT}/public">
        Options -Indexes
        AllowOverride None
        Require all granted
    </Directory>
{_apache_media(f"{SITE_ROOT}/public{base}media", base)}{_apache_admin(base, editor) if editor else ""}
    RedirectMatch permanent "^{members.rstrip("/")}$" "{members}"
    Alias "{members}" "{SITE_ROOT}/members/"
    <Directory "{SITE_ROOT}/members">
        Options -Indexes
        AllowOverride None
        AuthType Basic
        AuthName "{realm}"
        # The password file lies outside every folder the web server publishes.
        AuthUserFile "{PASSWORD_FILE}"
        Require valid-user
        # a failed sign-in shows the site's sign-in help (a public page), still with 401
        ErrorDocument 401 {help_page}
{_apache_headers(MEMBERS_HEADERS, "        ")}    </Directory>
{_apache_media(f"{SITE_ROOT}/members/media", base)}</VirtualHost>
"""


def _htaccess(realm: str, members: str) -> str:
    help_page = _help_page(members[:-len("members/")])
    return f"""# For hosts that only allow .htaccess files: put this file in the members folder as
# .htaccess. AuthUserFile must be a path OUTSIDE the published folders.
Options -Indexes
# HTTPS only: over plain HTTP the answer is 403 before any password is asked for
SSLRequireSSL
AuthType Basic
AuthName "{realm}"
AuthUserFile "{PASSWORD_FILE}"
Require valid-user
ErrorDocument 401 {help_page}
{_apache_headers(MEMBERS_HEADERS, "")}Header always set X-Content-Type-Options "nosniff"
# members files are sent sandboxed: never run as a page of the site (PDFs excepted)
<If "%{{REQUEST_URI}} =~ m#^{members}media/# && %{{REQUEST_URI}} !~ m#\\.pdf$#i">
    Header always set Content-Security-Policy "{csp.MEDIA_POLICY}"
</If>
"""


def _netlify(base: str, members: str, images) -> str:
    site_headers = "".join(f"  {k}: {v}\n" for k, v in security_headers(base, images).items())
    return f"""# Netlify

Netlify serves every site over HTTPS (keep "Force HTTPS" on). Its free plans have no
per-user password protection for part of a site, and its paid "Basic-Auth" header needs
the passwords written in plain text, which ccsite never keeps. Two safe ways:

1. Use **encrypt** mode (`members: protection: encrypt` in site.yaml) and publish only
   `public/`: the members area is then encrypted for each member's own passphrase.
2. Or, on a plan with site protection, publish `members/` as a separate Netlify site
   with password protection switched on, and these headers in its `_headers` file:

```
{members}*
  Cache-Control: private, no-store
  X-Robots-Tag: noindex, nofollow
  X-Content-Type-Options: nosniff
{members}media/*
  Content-Security-Policy: {csp.MEDIA_POLICY}
```

Never publish `members/` inside `public/` in server mode: it would be open to everyone.

Either way, give the public site these headers in its `_headers` file (the media files'
sandbox keeps a file an editor added from running as a page of the site; Netlify adds
it to PDFs too, which Chrome then offers as a download instead of showing):

```
{base}*
{site_headers}{base}media/*
  Content-Security-Policy: {csp.MEDIA_POLICY}
```
"""


def _cloudflare(host: str, base: str, members: str) -> str:
    return f"""# Cloudflare Access

1. In Cloudflare Zero Trust, add a self-hosted Access application for
   `{host}{members}*`, with a policy that allows the managers' e-mail addresses
   (one-time PIN login needs no passwords at all).
2. Publish `public/` at `/` and `members/` at `{members}` on the origin. In SSL/TLS,
   choose "Full (strict)" and switch on "Always Use HTTPS" and HSTS.
   Access guards only requests that come through Cloudflare: the origin must answer
   nothing else. Let it take connections from Cloudflare only (a Cloudflare Tunnel, or
   its firewall allowing only Cloudflare's published addresses), and have it check the
   `Cf-Access-Jwt-Assertion` header of each request for `{members}` against your Access
   application's audience tag (Cloudflare's "Validate JWTs" guide). Otherwise anyone
   who finds the origin's address reads the members area in clear.
3. Add a Transform Rule (modify response header) for URI path starting `{members}`:
   `Cache-Control: private, no-store` and `X-Robots-Tag: noindex, nofollow`, and a Cache
   Rule that bypasses the cache for the same path.
4. Add a Transform Rule for URI paths starting `{base}media/` or `{members}media/` and
   not ending `.pdf`: `Content-Security-Policy: {csp.MEDIA_POLICY}` and
   `X-Content-Type-Options: nosniff`.
"""


def public_folder(base_path: str) -> str:
    """Where the public site's files go on the web server: the configurations serve
    {SITE_ROOT}/public as the host's root, so a site whose addresses start with a path
    (https://www.example.gov.uk/childrens-centres/) is that folder of it."""
    return f"{SITE_ROOT}/public{base_path}"


def _readme(config: SiteConfig, host: str, members: str) -> str:
    certificate = CERTIFICATE.format(host=host)
    return f"""# Publishing {config.title} (members protection: server)

This folder is for the web team; do not publish it.

The build made two folders beside this one:

- `public/`: the public website. Publish it at {config.base_url}
- `members/`: the members area. Publish it at {members} **behind a password**, never as
  part of `public/`.

Both are written with the permissions of whoever builds (as any file they make): on a
machine other people use too, build with `umask 027` (files readable by your group
only), so that no other user of the machine can read the members area here.

Steps:

1. Copy `public/` and `members/` to the web server, where the configurations below
   look for them: the contents of `public/` into `{public_folder(config.base_path)}`,
   those of `members/` into `{SITE_ROOT}/members/`.
2. Export the members' password file from the secrets folder, to a place outside every
   published folder, readable by the web server's group (`www-data` on Debian and
   Ubuntu; `nginx` or `apache` on Fedora and Red Hat):

       sudo ccsite members htpasswd {PASSWORD_FILE} --group www-data

   Run it again (and reload the server) whenever a member is added or removed.
3. Get the site's certificate (HTTPS): members type their passphrase into the
   browser's password box, so the site is served over HTTPS only. With certbot (Let's
   Encrypt), before the configuration is enabled:

       sudo certbot certonly --standalone -d {host}

   (with the web server stopped for a moment; renewals then go through
   {CHALLENGE_ROOT}: `sudo certbot renew --webroot -w {CHALLENGE_ROOT}`).
   It puts the certificate at `{certificate}`, where the configurations look for it:
   change the two lines marked PLACEHOLDER if yours is elsewhere.
4. Use the configuration for your server: `nginx.conf`, `apache.conf` (or
   `members.htaccess` where only .htaccess files are allowed), `netlify.md` or
   `cloudflare-access.md`. Each one:
   - answers plain HTTP with a redirect to HTTPS (never with the password question),
     and tells browsers to use only HTTPS for the next year
     (`Strict-Transport-Security`; add `includeSubDomains` only once every host under
     the domain has HTTPS);
   - does not name the server's version;
   - asks for a password on {members} and tells browsers and caches not to keep
     members pages (`Cache-Control: private, no-store`) and search engines not to index
     them (`X-Robots-Tag: noindex`);
   - sends a Content-Security-Policy that lets scripts run only from `/assets/` and
     `/pagefind/`, and sends the files editors add (`/media/`, `/members/media/`)
     sandboxed, so that none can run as a page of the site (except PDFs, which Chrome and
     Safari would not show sandboxed, and whose viewers do not run with the site's
     rights), with `X-Content-Type-Options: nosniff`;
   - (nginx, Apache) compresses the site's text files, and lets browsers keep a public
     page or file only until they have checked it with the server again
     (`Cache-Control: no-cache`: a page changes with the day, and the theme's scripts
     keep their names from one version to the next).
5. Check: opening http://{host}{members} must lead to https://{host}{members},
   which must ask for a user name and password. Members sign in with their login
   (`ccsite members list` shows it) and the passphrase they were given.
"""


def password_file_problem(path: Path, published: dict[str, Path]) -> str | None:
    """Why `path` is the wrong place for the web server's password file, or None: inside
    a folder that is (or is made into) a published site, a copy could be served, and its
    bcrypt hashes tried offline. `published`: what each folder is -> the folder."""
    try:
        found = os.stat(path)  # (through a link: what it names is written, see below)
    except OSError:
        found = None  # (not there yet: made)
    if found is not None and not stat.S_ISREG(found.st_mode):
        return (f"{path} is not an ordinary file (a folder, a device or a pipe), and the "
                "password file would take its place (it took that of /dev/full, as root); "
                f"give the path of the password file itself, e.g. {PASSWORD_FILE}")
    place = path.resolve()
    for what, folder in published.items():
        if place == folder.resolve() or folder.resolve() in place.parents:
            return (f"{path} is inside {what} ({folder}), which is published or copied "
                    f"into the site; write it outside every published folder, e.g. "
                    f"{PASSWORD_FILE}")
    return None


def write_password_file(path: Path, text: str, group: str | None) -> str:
    """Write the web server's password file; returns what to tell the web team.

    The web server's workers do not run as the user who exports the file (root, often),
    so a file only its owner can read makes every member's login fail with a 500. With
    `group` (the web server's: www-data on Debian), the file is given to that group and
    made readable by it (0640) before it takes the place of the old one, never readable
    by anyone else, even for a moment. A link is written through: the file it names
    is replaced, as the web server's configuration may name the link (the link itself
    was replaced, and a member removed still signed in with what its file kept). Raises
    PermissionError or KeyError (no such group) for the command to tell."""
    gid = grp.getgrnam(group).gr_gid if group else None
    if os.path.islink(path):
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
            if gid is not None:
                os.fchown(handle.fileno(), -1, gid)
                os.fchmod(handle.fileno(), 0o640)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if group:
        return f"readable by the group {group} (mode 640)"
    return (f"readable by its owner only; the web server must be able to read it: run\n"
            f"    sudo chgrp www-data {path} && sudo chmod 640 {path}\n"
            f"(or export it again with --group www-data; the group is nginx or apache on "
            f"Fedora and Red Hat)")
