# First version: the deploy issue adds the Lambda Web Adapter and the rest.
FROM python:3.11-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8000
WORKDIR /app
COPY --from=build /install /usr/local
COPY . .
RUN SOLACE_DEBUG=0 SOLACE_SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 solace
USER solace
EXPOSE 8000
CMD ["sh", "-c", "exec gunicorn solace.wsgi:application --bind 0.0.0.0:${PORT} --workers 1"]
