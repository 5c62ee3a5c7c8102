"""Security baseline: login throttling, deploy checks, and records of personal-data exports."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

import pytest

from evaluations.models import ExportRecord, LearningFamily
from tests.factories import FamilyFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_login(client):
    user = UserFactory(username="can-bo", is_staff=True, is_superuser=True)
    user.set_password("mat-khau-dung-12345")
    user.save()
    login = reverse("wagtailadmin_login")
    for _attempt in range(5):
        response = client.post(login, {"username": "can-bo", "password": "sai"})
        assert response.status_code in (200, 429)
    locked = client.post(login, {"username": "can-bo", "password": "mat-khau-dung-12345"})
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_password_still_works_before_the_limit(client):
    user = UserFactory(username="can-bo-2", is_staff=True, is_superuser=True)
    user.set_password("mat-khau-dung-12345")
    user.save()
    client.post(reverse("wagtailadmin_login"), {"username": "can-bo-2", "password": "sai"})
    response = client.post(reverse("wagtailadmin_login"), {"username": "can-bo-2", "password": "mat-khau-dung-12345"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_weak_passwords_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678", "password", "khuyenhoc"):
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_deploy_check_is_clean_with_production_settings():
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their live server; a deployment never would.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "khuyenhoc.example.vn",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_exports_of_personal_data_are_recorded(admin_client, superuser, areas):
    FamilyFactory(head_name="Nguyễn Văn Xuất", area=areas["village_a1"])
    listing = reverse(LearningFamily.snippet_viewset.get_url_name("list"))
    admin_client.get(listing)  # looking is not exporting
    assert not ExportRecord.objects.exists()
    # Wagtail's export address leads to the project's export, which records it (with the listing's kind).
    response = admin_client.get(listing, {"area": areas["commune_a"].pk, "export": "xlsx"}, follow=True)
    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert record.user == superuser
    assert record.listing == "reports.subjects"
    assert record.file_format == "xlsx"
    assert record.filters == {"area": [str(areas["commune_a"].pk)], "kind": ["family"]}
    assert record.row_count == 1


def _fail_five_times_then_log_in(client, username, password, *, wrong_from, right_from):
    login = reverse("wagtailadmin_login")
    for _attempt in range(5):
        client.post(login, {"username": username, "password": "sai"}, HTTP_X_FORWARDED_FOR=wrong_from)
    return client.post(login, {"username": username, "password": password}, HTTP_X_FORWARDED_FOR=right_from)


@pytest.fixture
def officer():
    user = UserFactory(username="can-bo-3", is_staff=True, is_superuser=True)
    user.set_password("mat-khau-dung-12345")
    user.save()
    return user


def test_behind_the_configured_proxy_one_client_locked_out_does_not_lock_out_another(client, settings, officer):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request comes from the proxy (REMOTE_ADDR 127.0.0.1); the proxy appends the client's address.
    guesser = "10.0.0.99, 203.0.113.5"  # the leftmost entry is the client's own claim, not believed
    locked = _fail_five_times_then_log_in(
        client, "can-bo-3", "mat-khau-dung-12345", wrong_from=guesser, right_from="203.0.113.5"
    )
    assert locked.status_code == 429
    colleague = client.__class__()
    response = colleague.post(
        reverse("wagtailadmin_login"),
        {"username": "can-bo-3", "password": "mat-khau-dung-12345"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(officer.pk)


def test_without_a_proxy_setting_a_forged_forwarded_address_does_not_bypass_the_lock(client, settings, officer):
    settings.TRUSTED_PROXY_COUNT = 0
    response = _fail_five_times_then_log_in(
        client, "can-bo-3", "mat-khau-dung-12345", wrong_from="203.0.113.5", right_from="198.51.100.7"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_client_address_is_the_one_our_proxies_saw(rf, settings):
    from config.client_ip import client_ip

    def address(forwarded):
        return client_ip(rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded))

    settings.TRUSTED_PROXY_COUNT = 0
    assert address("203.0.113.5") == "10.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 2  # e.g. a load balancer, then nginx
    assert address("1.2.3.4, 203.0.113.5, 10.0.0.2") == "203.0.113.5"
    assert address("10.0.0.2") == "10.1.1.1"  # came round a proxy: its own address stands
    assert address("not-an-address, 10.0.0.2") == "10.1.1.1"


def test_every_response_carries_a_content_security_policy(client, admin_client, home):
    public = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in public and "object-src 'none'" in public and "frame-ancestors 'self'" in public
    assert "script-src 'self';" in public  # no inline script on the public pages
    admin = admin_client.get(reverse("wagtailadmin_home"))["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline';" in admin  # Wagtail's own inline scripts
    assert "Content-Security-Policy" in client.get(reverse("api:figures") + "?area=%00")
