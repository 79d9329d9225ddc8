"""Bad archives are refused by `manage.py restore` with a message naming what is wrong, and the
target (an empty database and an empty storage) is left empty. A good archive restores, so the
refusals below are not the only thing restore can do."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from ops.backup import crypto, services
from ops.backup.errors import ArchiveError, TargetNotEmpty

from .backup_support import empty_target, manage

pytestmark = pytest.mark.django_db

ALTERABLE = b"ORIGINAL-CONTENT-" * 64


@pytest.fixture
def storage_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "backups"},
        },
    }
    default_storage.save("letters/2026/a.pdf", ContentFile(ALTERABLE))
    default_storage.save("documents/HC-2026-000001/b.txt", ContentFile(b"second file"))
    return tmp_path


@pytest.fixture
def target(tmp_path):
    made = empty_target(tmp_path)
    yield made
    made.drop()


def make_archive(folder: Path, *, key: bytes | None = None) -> Path:
    result = services.backup_create(key=key)
    return folder / "backups" / result.name


def rewrite(archive: Path, *, edit=None, drop=()) -> Path:
    """A copy of a plain archive with members edited (name -> function of bytes) or left out."""
    out = archive.with_name("edited-" + archive.name)
    with tarfile.open(archive, "r:") as source, tarfile.open(out, "w:", format=tarfile.PAX_FORMAT) as copy:
        for info in source:
            if info.name in drop:
                continue
            data = source.extractfile(info).read()
            if edit and info.name in edit:
                data = edit[info.name](data)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return out


def refused(archive: Path, target, expected: str, *, key_text: str | None = None) -> str:
    env = {"BACKUP_ENCRYPTION_KEY": key_text} if key_text else {}
    result = manage("restore", str(archive), target=target, env=env)
    assert result.returncode != 0, result.stdout
    assert expected in result.stderr, result.stderr
    assert "Nothing was restored." in result.stderr
    assert target.tables() == []
    assert target.files() == []
    return result.stderr


def test_a_good_archive_restores_every_table_and_file(storage_dirs, target):
    archive = make_archive(storage_dirs)
    result = manage("restore", str(archive), target=target)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    assert target.files() == ["documents/HC-2026-000001/b.txt", "letters/2026/a.pdf"]
    assert (target.media_root / "letters/2026/a.pdf").read_bytes() == ALTERABLE
    assert "complaints_case" in target.tables()


def test_a_truncated_archive_is_refused(storage_dirs, target):
    archive = make_archive(storage_dirs)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    refused(archive, target, "truncated")


def test_an_archive_cut_off_before_its_manifest_is_refused(storage_dirs, target):
    archive = rewrite(make_archive(storage_dirs), drop={"manifest.json", "manifest.sha256"})
    refused(archive, target, "The archive is truncated: it ends before its manifest")


def test_one_altered_file_is_refused_and_named(storage_dirs, target):
    archive = make_archive(storage_dirs)
    data = archive.read_bytes()
    assert data.count(b"ORIGINAL-CONTENT-ORIGINAL") >= 1
    archive.write_bytes(data.replace(b"ORIGINAL-CONTENT-ORIGINAL", b"ORIGINAL-CONTENT-ALTERED!", 1))
    refused(archive, target, "The file letters/2026/a.pdf was altered")


def test_a_file_missing_from_the_archive_is_refused(storage_dirs, target):
    archive = rewrite(make_archive(storage_dirs), drop={"files/documents/HC-2026-000001/b.txt"})
    refused(
        archive,
        target,
        "files listed in the manifest are missing from the archive, e.g. documents/HC-2026-000001/b.txt",
    )


def test_an_edited_manifest_is_refused(storage_dirs, target):
    def fewer_cases(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["row_counts"]["complaints_case"] = manifest["row_counts"]["complaints_case"] + 5
        return json.dumps(manifest).encode()

    archive = rewrite(make_archive(storage_dirs), edit={"manifest.json": fewer_cases})
    refused(archive, target, "The manifest was edited: its SHA-256 does not match manifest.sha256.")


def _with_manifest(archive: Path, change) -> Path:
    """An archive whose manifest was changed and its checksum recomputed to match."""
    manifest = {}

    def edit_manifest(data: bytes) -> bytes:
        manifest.update(json.loads(data))
        change(manifest)
        return json.dumps(manifest).encode()

    first = rewrite(archive, edit={"manifest.json": edit_manifest})
    digest = hashlib.sha256(json.dumps(manifest).encode()).hexdigest().encode()
    return rewrite(first, edit={"manifest.sha256": lambda _data: digest})


def test_an_archive_from_a_newer_portal_is_refused_by_its_format_version(storage_dirs, target):
    def newer(data: bytes) -> bytes:
        return json.dumps({**json.loads(data), "format_version": 2, "portal_version": "v9.0"}).encode()

    archive = rewrite(make_archive(storage_dirs), edit={"header.json": newer})
    refused(archive, target, "The archive was written by a newer portal (archive format 2; this portal reads up to 1")


def test_an_archive_from_a_newer_portal_is_refused_by_its_migrations(storage_dirs, target):
    archive = _with_manifest(
        make_archive(storage_dirs), lambda manifest: manifest["migrations"].append("complaints.0099_from_the_future")
    )
    refused(archive, target, "The archive comes from a newer version of the portal")
    assert "complaints.0099_from_the_future" in refused(archive, target, "migrations this code does not know")


def test_a_wrong_key_is_refused(storage_dirs, target):
    archive = make_archive(storage_dirs, key=crypto.parse_key(crypto.new_key()))
    refused(archive, target, "Wrong key", key_text=crypto.new_key())


def test_an_encrypted_archive_without_a_key_is_refused(storage_dirs, target):
    archive = make_archive(storage_dirs, key=crypto.parse_key(crypto.new_key()))
    refused(archive, target, "The archive is encrypted and no key is set")


def test_an_altered_encrypted_archive_is_refused(storage_dirs, target):
    key = crypto.new_key()
    archive = make_archive(storage_dirs, key=crypto.parse_key(key))
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    refused(archive, target, "The encrypted archive is damaged", key_text=key)


def test_a_truncated_encrypted_archive_is_refused(storage_dirs, target):
    key = crypto.new_key()
    archive = make_archive(storage_dirs, key=crypto.parse_key(key))
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) - 100])
    refused(archive, target, "damaged or truncated", key_text=key)


def test_an_encrypted_archive_restores_with_its_key(storage_dirs, target):
    key = crypto.new_key()
    archive = make_archive(storage_dirs, key=crypto.parse_key(key))
    assert b"ORIGINAL-CONTENT" not in archive.read_bytes()
    result = manage("restore", str(archive), target=target, env={"BACKUP_ENCRYPTION_KEY": key})
    assert result.returncode == 0, result.stderr
    assert (target.media_root / "letters/2026/a.pdf").read_bytes() == ALTERABLE


def test_restore_refuses_a_database_that_has_tables(storage_dirs, settings, tmp_path):
    archive = make_archive(storage_dirs)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(TargetNotEmpty, match=r"already has \d+ tables\. A restore only writes into an empty database"):
        services.archive_restore(archive_path=str(archive), key=None)


def test_restore_refuses_storage_that_holds_files(storage_dirs, target):
    archive = make_archive(storage_dirs)
    (target.media_root / "letters").mkdir(parents=True)
    (target.media_root / "letters" / "old.pdf").write_bytes(b"left over")
    result = manage("restore", str(archive), target=target)
    assert result.returncode != 0
    assert "already holds files (for example letters/old.pdf)" in result.stderr
    assert target.tables() == []


def test_verify_names_the_damage_without_restoring(storage_dirs):
    archive = make_archive(storage_dirs)
    out = io.StringIO()
    call_command("backup", verify=str(archive), stdout=out)
    assert "is intact" in out.getvalue()
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"ORIGINAL-CONTENT-ORIGINAL", b"ORIGINAL-CONTENT-ALTERED!", 1))
    with pytest.raises(CommandError, match=r"The file letters/2026/a\.pdf was altered"):
        call_command("backup", verify=str(archive), stdout=out)


def test_an_unknown_archive_name_is_refused(storage_dirs, target):
    result = manage("restore", "helpcenter-20990101T000000Z.tar", target=target)
    assert result.returncode != 0
    assert "No archive 'helpcenter-20990101T000000Z.tar'" in result.stderr


def test_a_key_file_kept_beside_the_archives_is_refused(storage_dirs, settings):
    settings.BACKUP_DIR = storage_dirs / "backups"
    settings.BACKUP_DIR.mkdir(exist_ok=True)
    key_file = settings.BACKUP_DIR / "backup.key"
    key_file.write_text(crypto.new_key())
    with pytest.raises(CommandError, match="is inside the backup folder"):
        call_command("backup", key_file=str(key_file), stdout=io.StringIO())


def test_a_storage_without_local_paths_works_through_the_storage_api(settings, tmp_path):
    """As with an S3 bucket: no path() on either storage, so files are read and the archive is
    uploaded only through the storage API (InMemoryStorage stands in for the bucket here)."""
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": memory, "backups": dict(memory)}
    settings.BACKUP_TEMP_DIR = str(tmp_path / "staging")
    default_storage.save("letters/2026/a.pdf", ContentFile(ALTERABLE))
    result = services.backup_create(key=crypto.parse_key(crypto.new_key()))
    from ops.backup import storage

    assert storage.archives() == [result.name]
    assert storage.describe(storage.backup_storage()) != ""
    with pytest.raises(ArchiveError, match="Wrong key"):
        services.archive_verify(archive_path=result.name, key=crypto.parse_key(crypto.new_key()))
    assert result.files == 1
    assert list((tmp_path / "staging").iterdir()) == []


def _older_portal_archive(tmp_path):
    """A portal one ops migration behind the code, backed up (by the services, as the command
    itself needs the newest tables), then its database removed. Returns (run, archive name, the
    migration the archive lacks)."""
    import os
    import subprocess
    import sys

    from django.db.migrations.loader import MigrationLoader

    from ops.testing import PROJECT_DIR

    loader = MigrationLoader(None, ignore_no_migrations=True)
    (leaf,) = loader.graph.leaf_nodes("ops")
    (previous,) = [parent for parent in loader.graph.node_map[leaf].parents if parent.key[0] == "ops"]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BACKUP_ENCRYPTION_KEY")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'old.sqlite3'}",
        HELPCENTER_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        if ok:
            assert result.returncode == 0, result.stderr[-2000:]
        return result

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "migrate", "ops", previous.key[1], "--noinput", "-v0")
    name = run(
        "-c", "import django; django.setup()\nfrom ops.backup import services\nprint(services.backup_create().name)"
    ).stdout.strip()
    (tmp_path / "old.sqlite3").unlink()
    return run, name, leaf[1]


def test_an_archive_older_than_the_code_is_migrated_forward(tmp_path):
    """Restore applies the migration the archive lacks."""
    run, name, missing = _older_portal_archive(tmp_path)
    output = run("manage.py", "restore", name).stdout
    assert f"Applied 1 newer migrations: ops.{missing}." in output
    assert f"[X]  ops.{missing}" in run("manage.py", "showmigrations", "ops", "--plan").stdout


def test_a_restore_whose_forward_migration_fails_says_the_data_is_in_place_and_what_is_left(tmp_path):
    """Not "anything written was removed": it was not, and restoring again would be refused. The
    operator is told to run migrate, which then finishes the job."""
    run, name, missing = _older_portal_archive(tmp_path)
    program = (
        "import django; django.setup()\n"
        "from unittest import mock\n"
        "from django.core.management import call_command\n"
        "from ops.backup import services\n"
        "def disk_full(*args, **kwargs):\n"
        "    raise OSError('No space left on device')\n"
        "with mock.patch.object(services, 'call_command', disk_full):\n"
        f"    call_command('restore', {name!r})\n"
    )
    failed = run("-c", program, ok=False)
    assert failed.returncode != 0
    assert "migrating the database forward failed (OSError: No space left on device)" in failed.stderr
    assert "run manage.py migrate" in failed.stderr
    assert "removed again" not in failed.stderr
    assert f"[ ]  ops.{missing}" in run("manage.py", "showmigrations", "ops", "--plan").stdout
    run("manage.py", "migrate", "--noinput", "-v0")
    assert f"[X]  ops.{missing}" in run("manage.py", "showmigrations", "ops", "--plan").stdout


def test_a_file_name_that_leaves_the_storage_is_refused(storage_dirs, target):
    def escape(archive: Path) -> Path:
        out = archive.with_name("escaping-" + archive.name)
        with tarfile.open(archive, "r:") as source, tarfile.open(out, "w:", format=tarfile.PAX_FORMAT) as copy:
            for info in source:
                data = source.extractfile(info).read()
                if info.name == "files/documents/HC-2026-000001/b.txt":
                    info.name = "files/../../outside.txt"
                copy.addfile(info, io.BytesIO(data))
        return out

    refused(escape(make_archive(storage_dirs)), target, "The archive names a file outside the storage")
    assert not (target.media_root.parent / "outside.txt").exists()
