"""`ccsite members htpasswd PATH`: the web server's password file is written where the web
server can read it and nothing publishes it. (That nginx's workers, as www-data, really
read it: test_members_nginx.py.)"""
from __future__ import annotations

import grp
import os
import stat

import pytest

from ccsite.cli import main
from ccsite.members import credentials


def htpasswd(site, path, *options: str) -> int:
    return main(["members", "htpasswd", str(path), *options,
                 "--secrets", str(site.root / ".ccsite-secrets"),
                 "--source", str(site.content), "--output", str(site.output)])


@pytest.fixture
def member(site):
    return credentials.MemberStore(site.root / ".ccsite-secrets").add("Jane Example", None)[0]


@pytest.mark.parametrize("where, what", [
    ("_site/public/members.htpasswd", "the output folder"),
    ("_site/members.htpasswd", "the output folder"),
    ("content/media/members.htpasswd", "the content folder"),
])
def test_password_file_inside_a_published_folder_is_refused(site, member, capsys, where, what):
    assert site.build().status == 0
    before = site.snapshot()
    capsys.readouterr()
    path = site.root / where
    assert htpasswd(site, path) == 1
    err = capsys.readouterr().err
    assert err == (f"ccsite members: {path} is inside {what} "
                   f"({site.output if what == 'the output folder' else site.content}), which "
                   "is published or copied into the site; write it outside every published "
                   "folder, e.g. /etc/ccsite/members.htpasswd\n")
    assert not path.exists()
    assert site.snapshot() == before


def test_password_file_reached_through_a_link_into_the_output_is_refused(site, member, capsys):
    site.output.mkdir()
    (site.root / "etc").symlink_to(site.output)
    assert htpasswd(site, site.root / "etc" / "members.htpasswd") == 1
    assert "is inside the output folder" in capsys.readouterr().err
    assert not (site.output / "members.htpasswd").exists()


@pytest.mark.parametrize("what", ["a pipe", "a folder", "a link to a folder"])
def test_a_path_that_is_not_a_file_is_refused_never_replaced(site, member, capsys, tmp_path,
                                                              what):
    """`members htpasswd /dev/full`, run as root, put the password file where the device
    was (the file is written beside its place and swapped in): a path that names a
    device, a pipe or a folder, itself or through a link, is refused, and left as it is."""
    path = tmp_path / "given"
    if what == "a link to a folder":
        (tmp_path / "folder").mkdir()
        path.symlink_to(tmp_path / "folder")
    else:
        os.mkfifo(path) if what == "a pipe" else path.mkdir()
    assert htpasswd(site, path) == 1
    assert f"{path} is not an ordinary file" in capsys.readouterr().err
    assert stat.S_ISFIFO(path.lstat().st_mode) if what == "a pipe" else path.is_dir()
    assert path.is_symlink() == (what == "a link to a folder")


def test_a_password_file_reached_through_a_link_is_written_where_the_link_points(
        site, member, capsys, tmp_path):
    """The web server's configuration names a link (/etc/nginx/members.htpasswd to the
    file kept elsewhere): the file it names gets the new logins and the link stays (the
    link was replaced by a file, and a member removed still signed in with the old)."""
    kept = tmp_path / "kept" / "members.htpasswd"
    kept.parent.mkdir()
    kept.write_text("sam-left:$2y$05$old\n")
    link = tmp_path / "members.htpasswd"
    link.symlink_to(kept)
    assert htpasswd(site, link) == 0
    assert link.is_symlink() and kept.read_text().startswith("jane-example:$2y$")


def test_password_file_given_to_the_web_servers_group_is_readable_by_that_group_only(
        site, member, capsys):
    group = grp.getgrgid(os.getgid()).gr_name  # one this user may give files to
    path = site.root / "etc" / "members.htpasswd"
    assert htpasswd(site, path, "--group", group) == 0
    mode = path.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o640 and mode.st_gid == os.getgid()
    assert path.read_text().startswith("jane-example:$2y$05$")
    assert f"readable by the group {group} (mode 640)" in capsys.readouterr().out


def test_password_file_without_a_group_says_exactly_what_to_run(site, member, capsys):
    path = site.root / "etc" / "members.htpasswd"
    assert htpasswd(site, path) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert f"    sudo chgrp www-data {path} && sudo chmod 640 {path}\n" in out
    assert "(or export it again with --group www-data" in out


def test_unknown_group_is_told_and_no_file_is_written(site, member, capsys):
    path = site.root / "etc" / "members.htpasswd"
    assert htpasswd(site, path, "--group", "no-such-group-here") == 1
    assert "there is no group 'no-such-group-here' on this computer; the web server's " \
        "group is www-data on Debian and Ubuntu" in capsys.readouterr().err
    assert not path.exists()


@pytest.mark.parametrize("protection, where", [
    ("server", "out/public/.htpasswd"), ("server", "out/members.htpasswd"),
    ("server", "copy/public/.htpasswd"), ("encrypt", "out/public/.htpasswd")])
def test_password_file_inside_a_site_built_elsewhere_is_refused_without_being_told_where(
        site, member, capsys, protection, where):
    """Built with `--output out` and exported without `--output`: the command finds the
    build's folder by what a build leaves there (its lock file: an encrypt-mode output has
    no members/ folder), or by the published site's two folders side by side where a copy
    has no lock file."""
    import shutil

    site.edit("site.yaml", "protection: server", f"protection: {protection}")
    out = site.root / "out"
    assert main(["build", "--source", str(site.content), "--output", str(out),
                 "--now", "2026-11-25", "--quiet"]) == 0
    if protection == "server":
        for root in ("public", "members"):
            shutil.copytree(out / root, site.root / "copy" / root)
    capsys.readouterr()
    path = site.root / where
    assert main(["members", "htpasswd", str(path), "--secrets",
                 str(site.root / ".ccsite-secrets"), "--source", str(site.content)]) == 1
    folder = site.root / where.split("/")[0]
    assert f"{path} is inside the output folder of a ccsite build ({folder})" \
        in capsys.readouterr().err
    assert not path.exists()


def test_a_member_with_an_older_slow_hash_is_named_until_rekeyed(site, member, capsys,
                                                                   monkeypatch):
    """A hash made at bcrypt's old cost (12) takes the web server a quarter of a second
    for every try at that login: anyone who knows it (it is made from the name) can keep
    the server busy. `members list` and `members htpasswd` name such members, to rekey."""
    with monkeypatch.context() as older:  # (as an older ccsite made them)
        older.setattr(credentials, "BCRYPT_COST", 12)
        credentials.MemberStore(site.root / ".ccsite-secrets").add("Sam Older", None)
    path = site.root / "etc" / "members.htpasswd"
    capsys.readouterr()
    assert htpasswd(site, path) == 0
    told = capsys.readouterr()
    assert "sam-older:$2y$12$" in path.read_text()
    assert "warning: 1 member has a passphrase hash from an older ccsite" in told.err
    assert 'ccsite members rekey "Sam Older"' in told.err and "Jane" not in told.err
    secrets = ["--secrets", str(site.root / ".ccsite-secrets")]
    assert main(["members", "list", *secrets]) == 0
    assert 'For server mode: 1 member has' in capsys.readouterr().out
    assert main(["members", "rekey", "Sam Older", *secrets]) == 0
    capsys.readouterr()
    assert htpasswd(site, path) == 0
    assert "$2y$12$" not in path.read_text() and "warning" not in capsys.readouterr().err
