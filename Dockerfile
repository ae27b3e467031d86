# Image for the docker-compose demo (web and worker share it). Debian 12 based, like the
# developer and CI machines, so WeasyPrint finds the same Pango/HarfBuzz libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint 60+ runtime libraries and fonts with Vietnamese glyphs (PDF reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info \
        fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The project declares no
# Python packages of its own (`packages = []`): the code runs from /app.
COPY pyproject.toml ./
RUN pip install . && python -c "import weasyprint"

COPY . .
RUN useradd --create-home --uid 1000 sipas \
    && mkdir -p /app/media /app/staticfiles \
    && chown -R sipas:sipas /app
USER sipas

EXPOSE 8000
# Demo only: Django's development server. A production deployment puts a WSGI server
# (e.g. gunicorn, not a dependency of this project) behind a reverse proxy instead.
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py runserver 0.0.0.0:8000"]
