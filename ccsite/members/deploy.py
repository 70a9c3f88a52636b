"""Ready web-server configuration for `server` mode, written to `<output>/deploy/`.

The deploy folder is never inside a served root. Every configuration serves the public
root at / and the members root at /members/ behind HTTP authentication against a password
file kept outside the site (exported with `ccsite members htpasswd PATH`), and sends
`Cache-Control: private, no-store` (so no shared cache hands a members page to a stranger)
and `X-Robots-Tag: noindex` for /members/.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from ..model import SiteConfig

SITE_ROOT = "/var/www/ccsite"  # where the web team copies <output>/public and <output>/members
PASSWORD_FILE = "/etc/ccsite/members.htpasswd"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data: blob:; object-src 'none'; "
                               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}
MEMBERS_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


def deploy_files(config: SiteConfig) -> dict[str, str]:
    host = urlsplit(config.base_url).hostname or "localhost"
    members = config.base_path + "members/"
    realm = config.members_title.replace('"', "'")
    return {
        "README.md": _readme(config, members),
        "nginx.conf": _nginx(host, config.base_path, members, realm),
        "apache.conf": _apache(host, config.base_path, members, realm),
        "members.htaccess": _htaccess(realm),
        "netlify.md": _netlify(members),
        "cloudflare-access.md": _cloudflare(host, members),
    }


def _nginx(host: str, base: str, members: str, realm: str) -> str:
    security = "".join(f'    add_header {k} "{v}" always;\n' for k, v in SECURITY_HEADERS.items())
    members_headers = "".join(f'        add_header {k} "{v}" always;\n'
                              for k, v in {**SECURITY_HEADERS, **MEMBERS_HEADERS}.items())
    return f"""# nginx: the public site, and the members area behind a password.
# Include this file from nginx.conf's http block, or copy the server block into your own.
server {{
    listen 80;
    server_name {host};
    root {SITE_ROOT}/public;
    index index.html;
    autoindex off;
    error_page 404 {base}404.html;
{security}
    location {base} {{
        try_files $uri $uri/ =404;
    }}

    # The members area: its own folder, outside the public root, behind a password.
    # (add_header inside a location replaces the server's headers, so all are repeated.)
    location {members} {{
        alias {SITE_ROOT}/members/;
        index index.html;
        autoindex off;
        auth_basic "{realm}";
        auth_basic_user_file {PASSWORD_FILE};
{members_headers}    }}
}}
"""


def _apache(host: str, base: str, members: str, realm: str) -> str:
    security = "".join(f'    Header always set {k} "{v}"\n' for k, v in SECURITY_HEADERS.items())
    members_headers = "".join(f'        Header always set {k} "{v}"\n'
                              for k, v in MEMBERS_HEADERS.items())
    return f"""# Apache 2.4: the public site, and the members area behind a password.
# Needs mod_alias, mod_auth_basic, mod_authn_file and mod_headers.
<VirtualHost *:80>
    ServerName {host}
    DocumentRoot "{SITE_ROOT}/public"
    ErrorDocument 404 {base}404.html
{security}
    <Directory "{SITE_ROOT}/public">
        Options -Indexes
        AllowOverride None
        Require all granted
    </Directory>

    Alias "{members}" "{SITE_ROOT}/members/"
    <Directory "{SITE_ROOT}/members">
        Options -Indexes
        AllowOverride None
        AuthType Basic
        AuthName "{realm}"
        # The password file lies outside every folder the web server publishes.
        AuthUserFile "{PASSWORD_FILE}"
        Require valid-user
{members_headers}    </Directory>
</VirtualHost>
"""


def _htaccess(realm: str) -> str:
    headers = "".join(f'Header always set {k} "{v}"\n' for k, v in MEMBERS_HEADERS.items())
    return f"""# For hosts that only allow .htaccess files: put this file in the members folder as
# .htaccess. AuthUserFile must be a path OUTSIDE the published folders.
Options -Indexes
AuthType Basic
AuthName "{realm}"
AuthUserFile "{PASSWORD_FILE}"
Require valid-user
{headers}"""


def _netlify(members: str) -> str:
    return f"""# Netlify

Netlify's free plans have no per-user password protection for part of a site, and its
paid "Basic-Auth" header needs the passwords written in plain text, which ccsite never
keeps. Two safe ways:

1. Use **encrypt** mode (`members: protection: encrypt` in site.yaml) and publish only
   `public/`: the members area is then encrypted for each member's own passphrase.
2. Or, on a plan with site protection, publish `members/` as a separate Netlify site
   with password protection switched on, and these headers in its `_headers` file:

```
{members}*
  Cache-Control: private, no-store
  X-Robots-Tag: noindex, nofollow
```

Never publish `members/` inside `public/` in server mode: it would be open to everyone.
"""


def _cloudflare(host: str, members: str) -> str:
    return f"""# Cloudflare Access

1. In Cloudflare Zero Trust, add a self-hosted Access application for
   `{host}{members}*`, with a policy that allows the managers' e-mail addresses
   (one-time PIN login needs no passwords at all).
2. Publish `public/` at `/` and `members/` at `{members}` on the origin.
3. Add a Transform Rule (modify response header) for URI path starting `{members}`:
   `Cache-Control: private, no-store` and `X-Robots-Tag: noindex, nofollow`, and a Cache
   Rule that bypasses the cache for the same path.
"""


def _readme(config: SiteConfig, members: str) -> str:
    return f"""# Publishing {config.title} (members protection: server)

This folder is for the web team; do not publish it.

The build made two folders beside this one:

- `public/`: the public website. Publish it at {config.base_url}
- `members/`: the members area. Publish it at {members} **behind a password**, never as
  part of `public/`.

Steps:

1. Copy `public/` and `members/` to the web server (the examples use {SITE_ROOT}).
2. Export the members' password file from the secrets folder, to a place outside every
   published folder:

       ccsite members htpasswd {PASSWORD_FILE}

   Run it again (and reload the server) whenever a member is added or removed.
3. Use the configuration for your server: `nginx.conf`, `apache.conf` (or
   `members.htaccess` where only .htaccess files are allowed), `netlify.md` or
   `cloudflare-access.md`. Each one asks for a password on {members} and tells browsers
   and caches not to keep members pages (`Cache-Control: private, no-store`) and search
   engines not to index them (`X-Robots-Tag: noindex`).
4. Check: opening {config.base_url}members/ in a private window must ask for a user name
   and password. Members sign in with their login (`ccsite members list` shows it) and
   the passphrase they were given.
"""
