"""Sending a backup off the machine to an S3-compatible object store the office names
(MinIO, a cloud's object storage), and fetching it back: path-style PUT and GET signed with
AWS Signature Version 4, written out here rather than bringing in an SDK for two requests."""

import datetime
import hashlib
import hmac
from urllib.parse import quote, urlsplit

import requests
from django.conf import settings

TIMEOUT_SECONDS = 300


class ObjectStoreError(Exception):
    pass


def configured():
    return bool(settings.BACKUP_S3_ENDPOINT and settings.BACKUP_S3_BUCKET)


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signed_headers(method, url, body, now):
    """The headers of an AWS SigV4-signed request (service "s3")."""
    parts = urlsplit(url)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {"host": parts.netloc, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
    names = ";".join(sorted(headers))
    canonical = "\n".join(
        [
            method,
            parts.path,
            "",
            "".join(f"{name}:{headers[name]}\n" for name in sorted(headers)),
            names,
            payload_hash,
        ]
    )
    scope = f"{day}/{settings.BACKUP_S3_REGION}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = ("AWS4" + settings.BACKUP_S3_SECRET_KEY).encode()
    for part in (day, settings.BACKUP_S3_REGION, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={settings.BACKUP_S3_ACCESS_KEY}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}"
    )
    del headers["host"]  # requests sends it, from the URL
    return headers


def object_url(name):
    endpoint = settings.BACKUP_S3_ENDPOINT.rstrip("/")
    return f"{endpoint}/{quote(settings.BACKUP_S3_BUCKET)}/{quote(name)}"


def send(method, name, body=b""):
    url = object_url(name)
    now = datetime.datetime.now(datetime.UTC)
    headers = signed_headers(method, url, body, now)
    try:
        response = requests.request(
            method, url, data=body or None, headers=headers, timeout=TIMEOUT_SECONDS
        )
    except requests.RequestException as failure:
        raise ObjectStoreError(f"{method} {url}: {failure}") from failure
    if response.status_code >= 300:
        raise ObjectStoreError(f"{method} {url}: {response.status_code} {response.text[:200]}")
    return response


def put(name, body):
    send("PUT", name, body)


def get(name):
    return send("GET", name).content
