"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys

from django.conf import settings

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default'].get('CONN_MAX_AGE'), "
    "s.CELERY_BROKER_URL, s.STORAGES['default']['BACKEND'], s.EMAIL_BACKEND)"
)


def _python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="helpcenter.settings")
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_with_no_environment_it_runs_embedded(tmp_path):
    result = _python(PRINT_SETTINGS, HELPCENTER_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    engine, _, broker, storage, email = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert storage == "django.core.files.storage.FileSystemStorage"
    assert email == "django.core.mail.backends.console.EmailBackend"


def test_the_production_stack_is_chosen_by_environment_variables(tmp_path):
    result = _python(
        PRINT_SETTINGS,
        HELPCENTER_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@db.internal:5432/helpcenter",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="helpcenter-files",
        EMAIL_URL="smtp+tls://mailer:secret@mail.internal:587",
    )
    assert result.returncode == 0, result.stderr
    engine, conn_max_age, broker, storage, email = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert int(conn_max_age) > 0  # persistent connections, reused across requests
    assert broker == "redis://cache.internal:6379/0"
    assert storage == "storages.backends.s3.S3Storage"
    assert email == "django.core.mail.backends.smtp.EmailBackend"


def test_debug_off_refuses_to_start_without_a_real_secret_key(tmp_path):
    result = _python(PRINT_SETTINGS, HELPCENTER_VAR_DIR=str(tmp_path), DEBUG="False", ALLOWED_HOSTS="portal.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_off_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _python(PRINT_SETTINGS, HELPCENTER_VAR_DIR=str(tmp_path), DEBUG="False", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_debug_off_starts_with_both(tmp_path):
    result = _python(
        PRINT_SETTINGS,
        HELPCENTER_VAR_DIR=str(tmp_path),
        DEBUG="False",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="portal.example",
    )
    assert result.returncode == 0, result.stderr
