"""Nothing the portal keeps can be forgotten by the backup: every table of every model (and every
table in the database) is in the archive with its row count, every file field stores its files
in a storage the backup walks, and every storage and every folder setting is either backed up or
left out on purpose with a reason (ops/backup/coverage.py). A new model, file field, storage or
folder setting that is in neither list fails here."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.db.models import FileField

from helpcenter import settings as project_settings
from ops.backup import coverage, database, services

PATHLIKE = re.compile(r"_(ROOT|DIR|DIRS|PATH|PATHS|FILE|FILENAME|FOLDER|LOCATION)$")


def _file_fields():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                yield model, field


def test_every_storage_is_backed_up_or_left_out_with_a_reason(settings):
    for alias in settings.STORAGES:
        assert alias in coverage.BACKED_UP_STORAGES or alias in coverage.NOT_BACKED_UP_STORAGES, (
            f"STORAGES[{alias!r}] is neither backed up nor left out with a reason in ops/backup/coverage.py"
        )
    assert set(coverage.BACKED_UP_STORAGES) == {"default"}, "the backup walks the default storage only"


def test_every_file_field_keeps_its_files_in_the_default_storage():
    fields = list(_file_fields())
    assert fields, "the portal has file fields (documents, letters, drafts)"
    for model, field in fields:
        storage = field.storage
        same = storage is default_storage or storage is storages["default"] or storage == default_storage._wrapped
        assert same or getattr(storage, "location", None) == default_storage.location, (
            f"{model._meta.label}.{field.name} keeps files outside the default storage: the backup would miss them"
        )
        assert (f"{model._meta.label}.{field.name}", model._meta.db_table, field.column) in database.file_columns()


def test_every_folder_setting_is_accounted_for():
    names = [
        name
        for name, value in vars(project_settings).items()
        if name.isupper()
        and (
            PATHLIKE.search(name)
            or isinstance(value, Path)
            or (isinstance(value, list | tuple) and value and all(isinstance(v, Path) for v in value))
        )
    ]
    names += ["DATABASES", "CACHES"]
    missing = sorted(set(names) - set(coverage.PATH_SETTINGS))
    assert not missing, f"settings that keep data somewhere, not in ops/backup/coverage.py: {missing}"


@pytest.mark.django_db(transaction=True)
def test_every_table_of_every_model_is_in_the_archive_with_its_rows(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "b"}},
    }
    result = services.backup_create()
    manifest = services.archive_verify(archive_path=str(tmp_path / "b" / result.name), key=None).manifest
    tables = set(manifest["row_counts"])
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            assert model._meta.db_table in tables, f"{model._meta.label} ({model._meta.db_table}) is not in the archive"
            assert manifest["row_counts"][model._meta.db_table] == model._default_manager.count()
    assert set(connection.introspection.table_names()) <= tables
    assert any(name.startswith("complaints.") for name in manifest["migrations"])
