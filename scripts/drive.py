"""Drive the app under gunicorn on loopback, as production runs it.

    python scripts/drive.py load     20 officials save and submit figures, and 20 departments'
                                     systems push theirs through the API, while readers load
                                     the public pages; every saved figure must be found after
    python scripts/drive.py faults   (PostgreSQL from scripts/with-postgres) the database is
                                     stopped and started again under the running app
    python scripts/drive.py scaleout (PostgreSQL) two app servers share the database and a
                                     Redis cache: a figure published through one shows on
                                     the other's public page on the next request

The database is DATABASE_URL when set, else a new SQLite file. Traffic goes to 127.0.0.1
only, every loop is bounded in count and time, and gunicorn is stopped by its own pid.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import redis as redis_client

ROOT = Path(__file__).resolve().parent.parent
OFFICIALS = 20
SYSTEMS = 20  # departments' systems that push their figures through /api/v1/ at the same time
INDICATORS_EACH = 3
MONTHS = 12
READERS = 4
TIME_LIMIT = 90  # seconds for the whole load phase, whatever happens
PASSWORD = "load-test-" + secrets.token_urlsafe(12)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One person's HTTP session: cookies and CSRF token kept by hand, because the app's
    cookies are Secure (production settings) and we speak plain HTTP to it behind a
    pretend proxy that says the request came over HTTPS."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Referer": "https://127.0.0.1/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = "&".join(f"{k}={v}" for k, v in form.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def csrf(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def environment(database_url, static_root):
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def setup_data(env):
    """Officials, each with a department of their own and monthly indicators with targets."""
    script = f"""
from django.contrib.auth.models import Group, User
from kpis import roles
from kpis.models import Department, Indicator, Source, Target, Theme
import datetime
source = Source.objects.create(title="load test", publisher="load test",
                               published_on=datetime.date(2024, 1, 1))
theme = Theme.objects.create(code="load", name="负载", name_en="Load")
group = Group.objects.get(name=roles.DATA_ENTRY)
for number in range({OFFICIALS}):
    department = Department.objects.create(code=f"load-{{number}}", name=f"部门{{number}}",
                                           name_en=f"Department {{number}}")
    user = User.objects.create_user(f"official{{number}}", password="{PASSWORD}", is_staff=True)
    user.groups.add(group)
    department.members.add(user)
    for item in range({INDICATORS_EACH}):
        indicator = Indicator.objects.create(
            code=f"load-{{number}}-{{item}}", name=f"指标{{number}}-{{item}}",
            name_en=f"Indicator {{number}}-{{item}}", theme=theme, department=department,
            unit="家", value_type="stock", frequency="monthly")
        # A target the figures (101 to 112) reach by December: a year-end figure that
        # misses its target needs a public explanation before it is submitted.
        Target.objects.create(indicator=indicator, year=2024, value=110, source=source,
                              quote="load test")
from api.models import Token
keys = []
for number in range({SYSTEMS}):
    department = Department.objects.create(code=f"system-{{number}}", name=f"系统部门{{number}}",
                                           name_en=f"System department {{number}}")
    for item in range({INDICATORS_EACH}):
        indicator = Indicator.objects.create(
            code=f"system-{{number}}-{{item}}", name=f"接口指标{{number}}-{{item}}",
            name_en=f"API indicator {{number}}-{{item}}", theme=theme, department=department,
            unit="家", value_type="stock", frequency="monthly")
        Target.objects.create(indicator=indicator, year=2024, value=110, source=source,
                              quote="load test")
    token = Token(name=f"system-{{number}}")
    keys.append(token.issue())
    token.grant([department])
print("KEYS " + json.dumps(keys))
"""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import json\n" + script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.split("KEYS ", 1)[1].splitlines()[0])


class Server:
    def __init__(self, env, workers=4):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "tracker.wsgi",
                "--workers", str(workers),
                "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "60",
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Browser(self.port).request("GET", "/healthz")[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start; log: " + Path(self.log.name).read_text())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self):
        return Path(self.log.name).read_text(errors="replace")


def official_work(port, number, deadline, results):
    browser = Browser(port)
    status, _, html = browser.request("GET", "/en/accounts/login/")
    form = {"csrfmiddlewaretoken": browser.csrf(html), "username": f"official{number}"}
    form["password"] = PASSWORD
    status, location, _ = browser.request("POST", "/en/accounts/login/", form)
    results["statuses"][status] += 1
    if status != 302:
        results["errors"].append(f"official{number}: login answered {status}")
        return
    for month in range(1, MONTHS + 1):
        for item in range(INDICATORS_EACH):
            if time.monotonic() > deadline:
                return
            code = f"load-{number}-{item}"
            end = f"2024-{month:02d}-{[31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]}"
            status, _, html = browser.request("GET", f"/en/my/enter/{code}/{end}/")
            results["statuses"][status] += 1
            if status != 200:
                results["errors"].append(f"{code} {end}: form answered {status}")
                continue
            form = {"csrfmiddlewaretoken": browser.csrf(html), "value": str(100 + month)}
            form.update(note="", evidence_url="", submit="")
            status, location, body = browser.request("POST", f"/en/my/enter/{code}/{end}/", form)
            results["statuses"][status] += 1
            if status == 302 and "/my/figures/" in location:
                results["saved"].add((code, end))
            else:
                results["errors"].append(f"{code} {end}: save answered {status}")
            if "database is locked" in body:
                results["locked"] += 1


def api_request(port, method, path, key, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Host": "127.0.0.1",
        "X-Forwarded-Proto": "https",
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
    }
    try:
        connection.request(method, path, body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def system_work(port, number, key, deadline, results):
    """A department's system pushing a year of monthly figures through the API; it sends
    its first figure twice, as a system retrying after a timeout would."""
    sends = [(month, item) for month in range(1, MONTHS + 1) for item in range(INDICATORS_EACH)]
    for position, (month, item) in enumerate([sends[0], *sends]):
        if time.monotonic() > deadline:
            return
        code = f"system-{number}-{item}"
        end = f"2024-{month:02d}-{[31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]}"
        path = f"/api/v1/indicators/{code}/figures/{end}/"
        status, body = api_request(port, "PUT", path, key, {"value": str(100 + month)})
        results["statuses"][status] += 1
        expected = 201 if position == 0 else (200 if position == 1 else 201)
        if status == expected:
            results["api_saved"].add((code, end))
        else:
            results["errors"].append(f"API {code} {end}: answered {status}, not {expected}")
        if "database is locked" in body:
            results["locked"] += 1


def reader_work(port, stop, results):
    browser = Browser(port)
    paths = ["/", "/en/", "/data/progress.json", "/indicators/load-0-0/", "/data/progress.csv"]
    count = 0
    while not stop.is_set() and count < 5000:
        status, _, body = browser.request("GET", paths[count % len(paths)])
        results["statuses"][status] += 1
        results["reads"] += 1
        if "database is locked" in body:
            results["locked"] += 1
        count += 1


def count_saved(env):
    script = (
        "import json\nfrom kpis.models import Actual\n"
        "print(json.dumps([[a.indicator.code, a.period_end.isoformat(), a.status]"
        " for a in Actual.objects.select_related('indicator')]))"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def load(env, label):
    keys = setup_data(env)
    server = Server(env)
    results = {
        "statuses": Counter(),
        "saved": set(),
        "api_saved": set(),
        "errors": [],
        "locked": 0,
        "reads": 0,
    }
    started = time.monotonic()
    deadline = started + TIME_LIMIT
    stop = threading.Event()
    readers = [
        threading.Thread(target=reader_work, args=(server.port, stop, results))
        for _ in range(READERS)
    ]
    officials = [
        threading.Thread(target=official_work, args=(server.port, n, deadline, results))
        for n in range(OFFICIALS)
    ] + [
        threading.Thread(target=system_work, args=(server.port, n, key, deadline, results))
        for n, key in enumerate(keys)
    ]
    try:
        for thread in readers + officials:
            thread.start()
        for thread in officials:
            thread.join()
        stop.set()
        for thread in readers:
            thread.join()
    finally:
        elapsed = time.monotonic() - started
        server.stop()
    log = server.log_text()
    found = count_saved(env)
    found_keys = {(code, end) for code, end, status in found if code.startswith("load-")}
    found_api = {(code, end) for code, end, status in found if code.startswith("system-")}
    server_errors = sum(n for status, n in results["statuses"].items() if status >= 500)
    locked = results["locked"] + log.count("database is locked")
    requests = sum(results["statuses"].values())
    report = {
        "database": label,
        "officials": OFFICIALS,
        "figures_saved": len(results["saved"]),
        "figures_found": len(found_keys & results["saved"]),
        "api_figures_saved": len(results["api_saved"]),
        "api_figures_found": len(found_api & results["api_saved"]),
        "figures_in_database": len(found),
        "submitted": sum(1 for *_, status in found if status == "submitted"),
        "requests": requests,
        "reads": results["reads"],
        "server_errors_5xx": server_errors,
        "database_locked": locked,
        "other_errors": len(results["errors"]),
        "seconds": round(elapsed, 1),
        "requests_per_second": round(requests / elapsed, 1),
    }
    print("loadtest " + " ".join(f"{key}={value}" for key, value in report.items()))
    for error in results["errors"][:10]:
        print("  error:", error)
    expected = OFFICIALS * INDICATORS_EACH * MONTHS
    expected_api = SYSTEMS * INDICATORS_EACH * MONTHS
    ok = (
        server_errors == 0
        and locked == 0
        and not results["errors"]
        and len(results["saved"]) == expected
        and found_keys == results["saved"]
        and len(results["api_saved"]) == expected_api
        and found_api == results["api_saved"]
        and len(found) == expected + expected_api
    )
    if not ok:
        print(log[-3000:])
        raise SystemExit(f"loadtest failed on {label}")


def faults(env):
    """Stop PostgreSQL under the running app, then start it again."""
    pg_ctl, data = os.environ["KPI_PG_CTL"], os.environ["KPI_PG_DATA"]
    as_postgres = os.environ.get("KPI_PG_AS", "").split()
    server = Server(env, workers=2)
    browser = Browser(server.port)
    checks = []
    try:
        checks.append(("up: / answers 200", browser.request("GET", "/")[0] == 200))
        subprocess.run([*as_postgres, pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], check=True)
        status, _, body = browser.request("GET", "/")
        checks.append(("down: / answers 503", status == 503))
        checks.append(("down: the page explains", "数据库" in body and "Traceback" not in body))
        status, _, body = browser.request("GET", "/en/indicators/synbio-valuation/")
        checks.append(("down: in English too", status == 503 and "database" in body))
        status, _, body = browser.request("GET", "/healthz")
        checks.append(("down: /healthz 503", status == 503 and '"unavailable"' in body))
        options = os.environ["KPI_PG_OPTIONS"]
        log = data + "/../restart.log"
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", data, "-w", "-l", log, "-o", options, "start"], check=True
        )
        recovered = False
        for _ in range(40):
            if browser.request("GET", "/")[0] == 200:
                recovered = True
                break
            time.sleep(0.5)
        checks.append(("back: / answers 200 again by itself", recovered))
        checks.append(("back: /healthz 200", browser.request("GET", "/healthz")[0] == 200))
    finally:
        server.stop()
    for name, passed in checks:
        print(f"faults {'ok  ' if passed else 'FAIL'} {name}")
    if not all(passed for _, passed in checks):
        print(server.log_text()[-3000:])
        raise SystemExit("fault test failed")


def start_redis():
    """A throwaway Redis on loopback (Debian's redis-server, installed when missing)."""
    binary = shutil.which("redis-server")
    if binary is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "redis-server is needed for the scale-out test (apt-get install redis-server)"
        )
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("redis-server did not start")


def sign_in(port, username):
    browser = Browser(port)
    _, _, html = browser.request("GET", "/en/accounts/login/")
    form = {"csrfmiddlewaretoken": browser.csrf(html), "username": username}
    form["password"] = PASSWORD
    status, _, _ = browser.request("POST", "/en/accounts/login/", form)
    if status != 302:
        raise SystemExit(f"{username} could not sign in ({status})")
    return browser


def scaleout(env):
    script = f"""
from django.contrib.auth.models import Group, User
from kpis import roles
from kpis.models import Department, Indicator
department = Department.objects.create(code="scale", name="部门", name_en="Department")
official = User.objects.create_user("official", password="{PASSWORD}", is_staff=True)
official.groups.add(Group.objects.get(name=roles.DATA_ENTRY))
department.members.add(official)
reviewer = User.objects.create_user("reviewer", password="{PASSWORD}", is_staff=True)
reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
indicator = Indicator.objects.get(code="synbio-valuation")
indicator.department = department
indicator.save()
"""
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                   check=True)  # fmt: skip
    redis, redis_url = start_redis()
    # This test is about two servers sharing one database and one cache; the reviewer signs in
    # with a password alone (the second factor production asks reviewers for is tested in
    # tests/test_two_factor.py).
    env = {**env, "REDIS_URL": redis_url, "KPI_2FA_ROLES": ""}
    first = second = None
    checks = []
    try:
        first, second = Server(env, workers=2), Server(env, workers=2)
        reader = Browser(second.port)
        before = reader.request("GET", "/en/")[2]
        checks.append(("second server shows the page, figure not yet there", "777.7" not in before))
        official = sign_in(first.port, "official")
        path = "/en/my/enter/synbio-valuation/2024-03-31/"
        _, _, html = official.request("GET", path)
        form = {"csrfmiddlewaretoken": official.csrf(html), "value": "777.7", "note": ""}
        form.update(evidence_url="", submit="")
        status, location, _ = official.request("POST", path, form)
        checks.append(("official submits through the first server", status == 302))
        reviewer = sign_in(first.port, "reviewer")
        figure = re.search(r"/my/figures/(\d+)/", location).group(1)
        _, _, html = reviewer.request("GET", f"/en/my/figures/{figure}/")
        form = {"csrfmiddlewaretoken": reviewer.csrf(html), "publish": ""}
        status, _, _ = reviewer.request("POST", f"/en/my/figures/{figure}/review/", form)
        checks.append(("reviewer publishes through the first server", status == 302))
        after = reader.request("GET", "/en/")[2]
        checks.append(("second server shows it on the next request", "777.7" in after))
        keys = redis_client.Redis.from_url(redis_url).dbsize()
        checks.append((f"the servers share the Redis cache ({keys} keys)", keys > 0))
    finally:
        for server in (first, second):
            if server is not None:
                server.stop()
        redis.terminate()
        redis.wait(timeout=10)
    for name, passed in checks:
        print(f"scaleout {'ok  ' if passed else 'FAIL'} {name}")
    if not all(passed for _, passed in checks):
        raise SystemExit("scale-out test failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["load", "faults", "scaleout"])
    what = parser.parse_args().what
    workdir = Path(tempfile.mkdtemp(prefix="kpis-drive-"))
    try:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'load.sqlite3'}"
        label = "postgresql" if database_url.startswith("postgres") else "sqlite"
        env = environment(database_url, workdir / "static")
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        if what == "load":
            load(env, label)
        else:
            if label != "postgresql":
                raise SystemExit(f"The {what} test needs PostgreSQL: run it through "
                                 "scripts/with-postgres.")  # fmt: skip
            manage(env, "loaddata", "article_2024", "-v0")
            if what == "faults":
                faults(env)
            else:
                scaleout(env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
