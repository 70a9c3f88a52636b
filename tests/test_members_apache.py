"""The generated Apache configuration, run by a real Apache httpd (Debian's apache2) on
loopback ports with the self-signed certificate of test_members_nginx: the same checks as
for nginx, so the two configurations promise the same things. Skipped where Apache is
not installed."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from ccsite.members import deploy
from conftest import assert_compressed_and_checked_before_reuse, free_ports, http_get
from test_members_nginx import (GIF, HOST, SVG, export_password_file, placed,
                                self_signed_certificate,
                                trusting, where_www_data_reads, with_member)

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
pytestmark = pytest.mark.skipif(not os.path.exists(APACHE) or os.geteuid() != 0,
                                reason="needs Debian's apache2, and root to start it (its "
                                       "workers run as www-data)")


@contextmanager
def running_apache(site, htpasswd: Path):
    """deploy/apache.conf as it is but for its placeholders, under a minimal httpd.conf."""
    temp = site.output.parent / "apache"
    temp.mkdir(exist_ok=True)
    cert, key = self_signed_certificate(temp)
    http_port, https_port = free_ports(2)
    site_conf = placed(site, "apache.conf", htpasswd, cert, key, [
        ("<VirtualHost *:80>", f"<VirtualHost 127.0.0.1:{http_port}>"),
        ("<VirtualHost *:443>", f"<VirtualHost 127.0.0.1:{https_port}>")])
    modules = ["mpm_event", "authz_core", "authn_core", "authn_file", "auth_basic",
               "authz_user", "alias", "headers", "mime", "dir", "socache_shmcb", "ssl",
               "filter", "deflate"]  # (the last two on by default in Debian)
    conf = temp / "httpd.conf"
    conf.write_text("".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so\n" for m in modules)
                    + f"""ServerRoot {temp}
ServerName {HOST}
PidFile {temp}/httpd.pid
ErrorLog {temp}/error.log
TypesConfig /etc/mime.types
DefaultRuntimeDir {temp}
Mutex file:{temp}
User www-data
Group www-data
Listen 127.0.0.1:{http_port}
Listen 127.0.0.1:{https_port}
{site_conf}""")
    env = {**os.environ, "APACHE_RUN_DIR": str(temp)}
    checked = subprocess.run([APACHE, "-t", "-f", str(conf)], capture_output=True, text=True,
                             env=env)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([APACHE, "-DFOREGROUND", "-f", str(conf)], env=env,
                               stderr=subprocess.PIPE)
    try:
        for port in (http_port, https_port):
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
        with trusting(cert):
            yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_apache_serves_https_only_members_with_credentials_and_media_sandboxed(site):
    site.write("media/logo.svg", SVG)
    site.write("members/media/rota.gif", GIF + b" members")
    member, passphrase, _ = with_member(site)
    login = (member.login, passphrase)
    with where_www_data_reads(site) as shared, running_apache(
            site, export_password_file(site, shared / "members.htpasswd", "--group",
                                       "www-data")) as (http, https):
        for path in ("/", "/members/"):
            status, headers, _ = http_get(http + path)
            assert status == 301 and headers["Location"] == f"https://{HOST}{path}", path
            assert "WWW-Authenticate" not in headers

        status, headers, body = http_get(https + "/")
        assert status == 200 and "Test Children" in body
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert headers["Server"] == "Apache"  # ServerTokens Prod: no version
        assert headers["Content-Security-Policy"] == deploy.security_headers(
            images=("https://tile.openstreetmap.org",))["Content-Security-Policy"]
        assert "geolocation=(self)" in headers["Permissions-Policy"]

        assert http_get(https + "/members/")[0] == 401
        status, headers, _ = http_get(https + "/members")  # (typed without its slash)
        assert status == 301 and headers["Location"].endswith("/members/")
        assert_compressed_and_checked_before_reuse(https, login)
        status, headers, body = http_get(https + "/members/", (member.login, "wrong words"))
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
        assert "It is not your e-mail address" in body  # the sign-in help, in the site's look
        status, headers, body = http_get(https + "/members/good-practice/dads-group/", login)
        assert status == 200 and "Running a dads&#39; group" in body
        assert headers["Cache-Control"] == "private, no-store"

        status, headers, _ = http_get(https + "/media/logo.svg")
        assert status == 200 and headers["Content-Type"] == "image/svg+xml"
        assert headers["Content-Security-Policy"] == "sandbox"
        assert headers["X-Content-Type-Options"] == "nosniff"
        status, headers, _ = http_get(https + "/media/pack.pdf")
        assert status == 200 and headers["Content-Security-Policy"].startswith("default-src")
        assert http_get(https + "/members/media/rota.gif")[0] == 401
        status, headers, _ = http_get(https + "/members/media/rota.gif", login)
        assert status == 200 and headers["Content-Security-Policy"] == "sandbox"
        assert headers["Cache-Control"] == "private, no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"
