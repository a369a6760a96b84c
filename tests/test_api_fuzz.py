"""Schemathesis against the running app: requests generated from /api/v1/openapi.json (valid
and invalid ones) must never meet a server error or an answer that breaks the schema."""

import subprocess
import sys
from pathlib import Path

from api.models import Token

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(
    live_server, department, make_indicator, tmp_path, settings
):
    # Enough requests a minute for the run; the limit itself is tested in test_api.py.
    settings.API_RATE = "100000/min"
    make_indicator(code="hte", department=department)
    token = Token(name="fuzz")
    key = token.issue()
    token.grant([department])
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance",
        "--max-examples",
        "25",
        "--max-time",
        "60",
        "--workers",
        "1",
        "--seed",
        "20261206",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
