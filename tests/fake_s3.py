"""A small S3-compatible object store on loopback for the backup's tests: path-style PUT and
GET of whole objects, each request's AWS Signature Version 4 checked against the one access
key it knows (a wrong signature or payload hash is a 403, as S3 answers)."""

import hashlib
import hmac
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS_KEY = "backup-robot"
SECRET_KEY = "s3cr3t-of-the-office"
REGION = "cn-south-1"


def signature(method, path, headers, signed, payload_hash, scope):
    canonical = "\n".join(
        [
            method,
            path,
            "",
            "".join(f"{name}:{headers[name].strip()}\n" for name in signed),
            ";".join(signed),
            payload_hash,
        ]
    )
    day = scope.split("/")[0]
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            headers["x-amz-date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (day, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeS3(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.objects = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def authorised(self, body):
        headers = {name.lower(): value for name, value in self.headers.items()}
        match = re.fullmatch(
            r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\S+), SignedHeaders=(\S+), Signature=(\w+)",
            headers.get("authorization", ""),
        )
        if not match or match[1] != ACCESS_KEY:
            return False
        payload_hash = headers.get("x-amz-content-sha256", "")
        if payload_hash != hashlib.sha256(body).hexdigest():
            return False
        signed = match[3].split(";")
        expected = signature(self.command, self.path, headers, signed, payload_hash, match[2])
        return hmac.compare_digest(expected, match[4])

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self.authorised(body):
            return self.answer(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
        self.server.objects[self.path] = body
        self.answer(200)

    def do_GET(self):
        if not self.authorised(b""):
            return self.answer(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
        if self.path not in self.server.objects:
            return self.answer(404, b"<Error><Code>NoSuchKey</Code></Error>")
        self.answer(200, self.server.objects[self.path])
