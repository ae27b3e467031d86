"""python manage.py create_demo_admin [--username admin]

Creates (or resets) the demo superuser with a freshly generated random password and prints it.
Used by `make run`; every run gives a new password, so an old demo password never stays valid.
"""
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Tạo (hoặc đặt lại) tài khoản quản trị demo với mật khẩu ngẫu nhiên mới và in ra màn hình."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    @transaction.atomic
    def handle(self, username, **options):
        password = secrets.token_urlsafe(12)  # 16 URL-safe characters, ~96 bits
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(**{user_model.USERNAME_FIELD: username})
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Tài khoản quản trị demo: {username} / {password}")
