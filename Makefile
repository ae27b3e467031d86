# Cổng SIPAS — developer commands. On a fresh machine: `make run` (demo on http://127.0.0.1:8000)
# or `make test`. Both create .venv and install the project first.
#
# Defaults are the embedded set-up: SQLite (db.sqlite3) and Celery tasks run in-process, so
# DATABASE_URL and CELERY_BROKER_URL are not needed. When they are set (PostgreSQL + Redis),
# `make run` uses them and `make worker` runs the background worker; `make test` always uses
# SQLite with eager tasks and the file cache (CI's second pass runs the suite on PostgreSQL + Redis, see .ci/run).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py
ROUND := LS-2022
ADDR := 127.0.0.1:8000

.PHONY: help venv run test worker clean

help:
	@echo "make run     — cài đặt, chuẩn bị dữ liệu demo ($(ROUND)) và chạy cổng tại http://$(ADDR)"
	@echo "make test    — chạy bộ kiểm thử (SQLite, tác vụ chạy ngay trong tiến trình)"
	@echo "make worker  — chạy Celery worker + beat (cần CELERY_BROKER_URL, ví dụ Redis)"
	@echo "make venv    — tạo .venv và cài dự án (kèm gói kiểm thử)"
	@echo "make clean   — xoá .venv, bộ nhớ đệm và kết quả kiểm thử (giữ db.sqlite3)"

venv: $(STAMP)

# Re-installs only when pyproject.toml changes (or the venv is new).
$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
		if [ -z "$(PYTHON)" ]; then echo "Không tìm thấy python3.11 hay python3." >&2; exit 1; fi; \
		echo "Tạo $(VENV) bằng $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

run: venv
	$(MANAGE) migrate --noinput
	@if $(MANAGE) shell -v 0 -c "import sys; from surveys.models import SurveyRound; sys.exit(0 if SurveyRound.objects.filter(code='$(ROUND)').exists() else 1)"; then \
		echo "Đợt $(ROUND) đã có trong cơ sở dữ liệu: không nạp lại fixtures/langson_2022.json."; \
	else \
		$(MANAGE) loaddata fixtures/langson_2022.json; \
	fi
	@if $(MANAGE) shell -v 0 -c "import sys; from surveys.models import Response; sys.exit(0 if Response.objects.filter(round__code='$(ROUND)').exists() else 1)"; then \
		echo "Đợt $(ROUND) đã có phiếu: không thêm phiếu mẫu."; \
	else \
		$(MANAGE) seed_demo --round $(ROUND) --responses 895 --seed 2022; \
	fi
	$(MANAGE) recompute_indexes --round $(ROUND)
	@$(MANAGE) create_demo_admin
	$(MANAGE) seed_plan_demo --round $(ROUND)
	$(MANAGE) runserver $(ADDR)

test: venv
	$(VENV)/bin/lint-imports --no-cache
	env -u DATABASE_URL -u CELERY_BROKER_URL -u SIPAS_CACHE_URL $(VENV)/bin/pytest -q -n auto

# For the PostgreSQL + Redis set-up (README): CELERY_BROKER_URL and DATABASE_URL in the
# environment or in .env. -B also runs beat, whose sweep recomputes rounds left stale.
worker: venv
	@if [ -z "$${CELERY_BROKER_URL:-}" ] && ! grep -qs '^CELERY_BROKER_URL=' .env; then \
		echo "Chưa đặt CELERY_BROKER_URL (ví dụ redis://127.0.0.1:6379/0): không có hàng đợi nào để worker nhận việc." >&2; \
		exit 1; \
	fi
	$(VENV)/bin/celery -A sipas_portal worker -B -l info --pool=solo

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .django_cache staticfiles *.egg-info celerybeat-schedule*
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	@echo "Đã dọn. db.sqlite3 được giữ lại (xoá tay nếu muốn bắt đầu lại từ đầu)."
