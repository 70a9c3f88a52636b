"""The generated nginx configuration, run by a real nginx on loopback ports with a
self-signed certificate made here: `nginx -t`, then over real HTTP and HTTPS, plain HTTP
only redirects, the members area asks for a login over HTTPS, a member gets in and a
wrong passphrase does not, the files editors add are sent sandboxed and unsniffed, the
password file is read by workers running as www-data, and the pages' scripts (search
too) work in Chromium under the header policy."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import needs_browser
from ccsite.cli import main
from ccsite.members import credentials, deploy
from conftest import assert_compressed_and_checked_before_reuse, free_ports, http_get

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not os.path.exists(NGINX) and not os.environ.get("CI"),
                                 reason="nginx is not installed (CI installs it)")
HOST = "cc.example.org"  # the fixture site's base_url host
GIF = b"GIF89a\x01\x00\x01\x00"  # text enough for http_get
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for the site's host and 127.0.0.1, and its key, made with
    `cryptography` (what certbot would have put in place)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def placed(site, name: str, htpasswd: Path, cert: Path, key: Path,
           listening: list[tuple[str, str]], root: Path | None = None) -> str:
    """A deploy configuration as the build wrote it, with its placeholders (the site
    root: the build's output unless `root`, the password file, the certificate) and its
    ports put where this test has them; each must be there to be replaced."""
    text = (site.output / "deploy" / name).read_text()
    for placeholder, value in [
            (deploy.SITE_ROOT, str(root or site.output)), (deploy.PASSWORD_FILE, str(htpasswd)),
            (deploy.CERTIFICATE.format(host=HOST), str(cert)),
            (deploy.CERTIFICATE_KEY.format(host=HOST), str(key)), *listening]:
        assert placeholder in text, placeholder
        text = text.replace(placeholder, value)
    return text


@contextmanager
def running_nginx(site, htpasswd: Path, user: str = "root", root: Path | None = None):
    """The built site's deploy/nginx.conf, run as it is but for its placeholders: the
    site root (the build's output, or `root`), the password file, the certificate, and
    ports 80/443 moved to free loopback ones. Yields (http base, https base)."""
    temp = site.output.parent / "nginx"
    temp.mkdir(exist_ok=True)
    cert, key = self_signed_certificate(temp)
    http_port, https_port = free_ports(2)
    server = placed(site, "nginx.conf", htpasswd, cert, key, [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")], root)
    server = re.sub(r"\n *listen \[::\]:\d+( ssl)?;", "", server)  # no IPv6 needed here
    conf = temp / "nginx.conf"
    workers = f"user {user};\n" if os.geteuid() == 0 else ""  # workers must read the site
    conf.write_text(f"""{workers}daemon off;
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
""")
    checked = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        for port in (http_port, https_port):
            for _ in range(50):
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


@contextmanager
def trusting(cert: Path):
    """`http_get` trusting the test's certificate and showing redirects, not following."""
    class Shown(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    context = ssl.create_default_context(cafile=str(cert))
    urllib.request.install_opener(urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), Shown()))
    try:
        yield
    finally:
        urllib.request.install_opener(None)


def with_member(site) -> tuple[credentials.Member, str, Path]:
    """A member, the site built, and the password file as the README says to export it."""
    store = credentials.MemberStore(site.root / ".ccsite-secrets")
    member, passphrase = store.add("Jane Example", None)
    assert site.build().status == 0
    htpasswd = site.root / "etc" / "members.htpasswd"
    export_password_file(site, htpasswd)
    return member, passphrase, htpasswd


@needs_nginx
def test_nginx_serves_https_only_and_members_only_with_credentials(site):
    member, passphrase, htpasswd = with_member(site)
    with running_nginx(site, htpasswd) as (http, https):
        for path in ("/", "/members/", "/members/good-practice/dads-group/?a=1"):
            status, headers, _ = http_get(http + path)
            assert status == 301 and headers["Location"] == f"https://{HOST}{path}", path
            assert "WWW-Authenticate" not in headers  # no password asked for in clear
        status, headers, _ = http_get(http + "/members/", (member.login, passphrase))
        assert status == 301  # credentials sent over HTTP are not even looked at

        status, headers, body = http_get(https + "/")
        assert status == 200 and "Test Children" in body
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert headers["Server"] == "nginx"  # no version
        own, scripts = headers["Content-Security-Policy"].split(", ")
        assert "default-src 'self'" in own and "frame-ancestors 'none'" in own
        assert scripts == "script-src *:*/assets/ *:*/pagefind/ 'wasm-unsafe-eval'"
        # the map's tile host for pictures only; the site may ask for the location
        assert [d for d in own.split("; ") if "tile.openstreetmap.org" in d] == [
            "img-src 'self' data: blob: https://tile.openstreetmap.org"]
        assert "geolocation=(self)" in headers["Permissions-Policy"]
        status, headers, body = http_get(https + "/no-such-page/")
        assert status == 404 and "nginx/" not in body

        status, headers, _ = http_get(https + "/members/")
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
        status, headers, _ = http_get(https + "/members")  # (typed without its slash)
        assert status == 301 and headers["Location"].endswith("/members/")
        status, headers, body = http_get(https + "/members/", ("jane@example.org", "words"))
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
        assert "It is not your e-mail address" in body  # the sign-in help, in the site's look
        assert "Running a dads" not in body
        status, headers, body = http_get(https + "/members/good-practice/dads-group/",
                                         (member.login, passphrase))
        assert status == 200 and "Running a dads&#39; group" in body
        assert headers["Cache-Control"] == "private, no-store"
        assert headers["X-Robots-Tag"] == "noindex, nofollow"
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        status, _, body = http_get(https + "/members/good-practice/", (member.login, passphrase))
        assert status in (403, 404) and "Index of" not in body  # never a folder listing
        status, _, body = http_get(https + "/members/good-practice/no-such-post/",
                                   (member.login, passphrase))
        assert status == 404 and "nginx" not in body  # the site's own page, a way back
        assert "Page not found" in body and 'href="/"' in body
        assert_compressed_and_checked_before_reuse(https, (member.login, passphrase))


@needs_nginx
def test_a_members_page_with_many_pictures_is_answered_whole(site):
    """nginx checks the passphrase at every request of the members area, each picture's
    too: at bcrypt's usual cost that held a core a quarter of a second each (a page with
    45 pictures, eleven seconds), and a limit on requests against guessing then broke
    the page's pictures. The passphrases' 90 bits need no slow hash: every request is
    answered, at once."""
    member, passphrase, htpasswd = with_member(site)
    assert all(line.split(":", 1)[1].startswith("$2y$05$")
               for line in htpasswd.read_text().splitlines()), htpasswd.read_text()
    assert len(passphrase.split()) == 7
    for n in range(45):
        site.write(f"members/media/picture-{n}.gif", GIF + b" picture")
    site.edit("members/good-practice/dads-group.md", "Members-only body.", "Members-only "
              "body.\n\n" + "\n".join(f"![Picture {n}](/members/media/picture-{n}.gif)"
                                     for n in range(45)))
    assert site.build().status == 0
    export_password_file(site, htpasswd)
    with running_nginx(site, htpasswd) as (_, https):
        login = (member.login, passphrase)
        for _ in range(2):  # (and read again)
            assert http_get(https + "/members/good-practice/dads-group/", login)[0] == 200
            answers = [http_get(https + f"/members/media/picture-{n}.gif", login)[0]
                       for n in range(45)]
            assert answers == [200] * 45


@needs_nginx
def test_a_site_under_a_path_works_copied_where_the_deploy_readme_says(site, tmp_path):
    """https://www.example.gov.uk/childrens-centres/: its files copied as step 1 of the
    build's deploy/README.md says (public/ into the web root's folder of that name)."""
    base = "/childrens-centres/"
    site.edit("site.yaml", "base_url: https://cc.example.org/",
              f"base_url: https://cc.example.org{base}")
    member, passphrase, htpasswd = with_member(site)
    readme = (site.output / "deploy" / "README.md").read_text()
    web = tmp_path / "www"
    for folder, into in ((site.output / "public", deploy.public_folder(base)),
                         (site.output / "members", f"{deploy.SITE_ROOT}/members/")):
        assert f"`{into}`" in readme, into
        shutil.copytree(folder, web / into.removeprefix(deploy.SITE_ROOT + "/"))
    with running_nginx(site, htpasswd, root=web) as (_, https):
        status, _, body = http_get(https + base)
        assert status == 200 and "Test Children" in body
        status, _, body = http_get(https + base + "no-such-page/")
        assert status == 404 and "Page not found" in body
        status, headers, _ = http_get(https + base + "media/pack.pdf")
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        status, _, body = http_get(https + base + "members/")
        assert status == 401 and "It is not your e-mail address" in body
        status, _, body = http_get(https + base + "members/good-practice/dads-group/",
                                   (member.login, passphrase))
        assert status == 200 and "Running a dads&#39; group" in body


@needs_nginx
def test_nginx_sends_the_files_editors_add_sandboxed_and_unsniffed(site):
    site.write("media/logo.svg", SVG)
    site.write("media/photo.gif", GIF)
    site.write("members/media/rota.gif", GIF + b" members")
    member, passphrase, htpasswd = with_member(site)
    login = (member.login, passphrase)
    with running_nginx(site, htpasswd) as (_, https):
        status, headers, body = http_get(https + "/media/logo.svg")
        assert status == 200 and body.encode() == SVG
        assert headers["Content-Type"] == "image/svg+xml"
        assert headers["Content-Security-Policy"] == "sandbox"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        for path in ("/media/photo.gif", "/media/"):
            status, headers, _ = http_get(https + path)
            assert headers["Content-Security-Policy"] == "sandbox", path
            assert headers["X-Content-Type-Options"] == "nosniff", path
        # a PDF is not sandboxed: Chrome and Safari would not show it at all
        status, headers, _ = http_get(https + "/media/pack.pdf")
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        # the data files with their own types (nginx's list has none for them)
        for path, kind in [("/programme.ics", "text/calendar; charset=utf-8"),
                           ("/data/centres.csv", "text/csv; charset=utf-8"),
                           ("/", "text/html; charset=utf-8"), ("/feed.xml", "text/xml")]:
            status, headers, _ = http_get(https + path)
            assert status == 200 and headers["Content-Type"] == kind, path

        assert http_get(https + "/members/media/rota.gif")[0] == 401
        status, headers, _ = http_get(https + "/members/media/rota.gif", login)
        assert status == 200 and headers["Content-Type"] == "image/gif"
        assert headers["Content-Security-Policy"] == "sandbox"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "private, no-store"


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="runs the web server's workers "
                                "as www-data, as a web server is run")


@contextmanager
def where_www_data_reads(site):
    """The built site copied to a folder the www-data user can read (the test's own
    tmp_path is root's only), as `site.output`; yields the folder."""
    import grp

    try:
        grp.getgrnam("www-data")
    except KeyError:
        pytest.skip("no www-data group on this machine")
    shared = Path(tempfile.mkdtemp(prefix="ccsite-www-"))
    try:
        shared.chmod(0o755)
        shutil.copytree(site.output, shared / "_site")
        site.output = shared / "_site"
        yield shared
    finally:
        shutil.rmtree(shared)


def export_password_file(site, path: Path, *options: str) -> Path:
    """`ccsite members htpasswd PATH`, as the deploy README says to run it."""
    assert main(["members", "htpasswd", str(path), *options,
                 "--secrets", str(site.root / ".ccsite-secrets"),
                 "--source", str(site.content), "--output", str(site.output)]) == 0
    return path


@needs_nginx
@needs_root
def test_password_file_given_to_the_web_servers_group_is_read_by_its_workers(site):
    """nginx's workers run as www-data: a password file only its owner (root) can read
    gets every member a 500; written with --group www-data, members get in."""
    member, passphrase, _ = with_member(site)
    with where_www_data_reads(site) as shared:
        htpasswd = shared / "members.htpasswd"
        export_password_file(site, htpasswd)
        with running_nginx(site, htpasswd, user="www-data") as (_, https):
            assert http_get(https + "/members/", (member.login, passphrase))[0] == 500
        export_password_file(site, htpasswd, "--group", "www-data")
        with running_nginx(site, htpasswd, user="www-data") as (_, https):
            assert http_get(https + "/members/", (member.login, passphrase))[0] == 200
            assert http_get(https + "/members/", (member.login, "wrong words"))[0] == 401


@needs_nginx
@needs_browser
@pytest.mark.browser
def test_search_and_the_theme_scripts_work_under_the_header_policy(site, chromium):
    """In Chromium, over HTTPS from nginx: Pagefind's worker gets the header policy as
    its own (a page's <meta> does not reach it), and compiles WebAssembly under it."""
    _, _, htpasswd = with_member(site)
    context = chromium.new_context(ignore_https_errors=True)
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("worker", lambda worker: refused.append("worker:" + worker.url))
    try:
        with running_nginx(site, htpasswd) as (_, https):
            page.goto(https + "/search/?q=Oxhey")
            page.get_by_role("status").filter(has_text="results for").wait_for()
            page.get_by_role("link", name="Oxhey Children's Centre").first.wait_for()
            page.goto(https + "/centres/")
            page.locator("[data-centre-filter]").wait_for()  # centres-filter.js ran
    finally:
        context.close()
    assert [text for text in refused if not text.startswith("worker:")] == []
    assert any(text.endswith("/pagefind/pagefind-worker.js") for text in refused), refused


@needs_nginx
@needs_browser
@pytest.mark.browser
def test_failed_sign_in_shows_the_help_page_in_a_browser_under_nginx(site, chromium):
    _, _, htpasswd = with_member(site)
    context = chromium.new_context(ignore_https_errors=True, http_credentials={
        "username": "jane@example.org", "password": "wrong words"})
    try:
        with running_nginx(site, htpasswd) as (_, https):
            page = context.new_page()
            assert page.goto(https + "/members/").status == 401
            page.get_by_role("heading", level=1,
                             name="Signing in to the members area").wait_for()
            assert "not your e-mail address" in page.inner_text("main")
            page.get_by_role("link", name="Back to Test Children's Centres").click()
            page.get_by_role("heading", level=1).first.wait_for()
            assert page.url.rstrip("/") == https
    finally:
        context.close()


@needs_nginx
@needs_browser
@pytest.mark.browser
def test_published_editor_works_under_its_own_header_policy_in_nginx(site, chromium):
    """With site.yaml's editor:, nginx sends /admin/ its own policy (the site's would stop
    Decap: no 'unsafe-eval'), and Decap starts under it in Chromium."""
    from test_editor_publish import GITHUB, with_editor

    with_editor(site, GITHUB)
    _, _, htpasswd = with_member(site)
    context = chromium.new_context(ignore_https_errors=True)
    console = []
    try:
        with running_nginx(site, htpasswd) as (_, https):
            status, headers, _ = http_get(https + "/admin/")
            assert status == 200 and "'unsafe-eval'" in headers["Content-Security-Policy"]
            assert "https://api.github.com" in headers["Content-Security-Policy"]
            assert "'unsafe-eval'" not in http_get(https + "/")[1]["Content-Security-Policy"]
            page = context.new_page()
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.goto(https + "/admin/")
            page.get_by_role("button", name="Login with GitHub").wait_for(timeout=20000)
    finally:
        context.close()
    assert console == []
