"""The generated nginx configuration, checked by a real nginx: `nginx -t`, then 401 without
credentials and 200 with them, over real HTTP."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from ccsite.cli import main
from ccsite.members import credentials
from conftest import free_port, http_get

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not os.path.exists(NGINX) and not os.environ.get("CI"),
                                 reason="nginx is not installed (CI installs it)")


def nginx_config(site, port: int, htpasswd) -> str:
    server = (site.output / "deploy" / "nginx.conf").read_text()
    server = server.replace("/var/www/ccsite", str(site.output))
    server = server.replace("/etc/ccsite/members.htpasswd", str(htpasswd))
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    temp = site.root / "nginx"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read tmp_path
    return f"""{user}daemon off;
pid {temp}/nginx.pid;
error_log {temp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{server}
}}
"""


@needs_nginx
def test_nginx_serves_members_only_with_credentials(site):
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    member, passphrase = store.add("Jane Example", None)
    assert site.build().status == 0
    htpasswd = site.root / "members.htpasswd"
    assert main(["members", "htpasswd", str(htpasswd), "--secrets", str(store.folder)]) == 0
    port = free_port()
    conf = site.root / "nginx.conf"
    conf.write_text(nginx_config(site, port, htpasswd))
    checked = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([NGINX, "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        status, headers, body = http_get(base + "/")
        assert status == 200 and "Test Children" in body
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        status, headers, _ = http_get(base + "/members/")
        assert status == 401
        assert headers["WWW-Authenticate"].startswith("Basic")
        assert http_get(base + "/members/", (member.login, "wrong words"))[0] == 401
        status, headers, body = http_get(base + "/members/good-practice/dads-group/",
                                      (member.login, passphrase))
        assert status == 200 and "Running a dads&#39; group" in body
        assert headers["Cache-Control"] == "private, no-store"
        assert headers["X-Robots-Tag"] == "noindex, nofollow"
        status, _, body = http_get(base + "/members/good-practice/", (member.login, passphrase))
        assert status in (403, 404) and "Index of" not in body  # never a folder listing
    finally:
        server.terminate()
        server.wait(timeout=10)
