"""The official VocaFuse Python SDK (vocafuse 0.1.1 from PyPI) against the dev server's backend API.

Run by scripts/python-sdk.sh, which starts the dev server and sets VOCAFUSE_API, VOCAFUSE_API_KEY
and VOCAFUSE_API_SECRET. Every call goes through the SDK as a backend would make it; only the
upload itself is done as the browser SDK does it (POST /upload, PUT to the presigned URL), with
the token the SDK minted. Prints one line per check, then `N passed, N failed`.
"""

import json
import os
import queue
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, HTTPServer

import requests
from vocafuse import (
    AccessToken,
    AuthenticationError,
    Client,
    NotFoundError,
    RequestValidator,
    ServerError,
    TranscriptionNotFoundError,
    ValidationError,
    WebhookNotFoundError,
)

API = os.environ["VOCAFUSE_API"]
KEY = os.environ["VOCAFUSE_API_KEY"]
SECRET = os.environ["VOCAFUSE_API_SECRET"]
USER = "user_python"
WEBHOOK_SECRET = "whsec_python_sdk"

client = Client(api_key=KEY, api_secret=SECRET, base_url=API)


def mint(**options):
    return AccessToken(api_key=KEY, api_secret=SECRET, identity=USER, base_url=API)(**options)


def upload(data=b"webm bytes", send_bytes=True):
    """A voice note uploaded as the browser SDK does, with a token minted by the Python SDK."""
    token = mint()["data"]["jwt_token"]
    body = {"file_name": "note.webm", "file_size": len(data), "audio_format": "webm", "duration_seconds": 2.5}
    grant = requests.post(f"{API}/upload", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert grant.status_code == 201, grant.text
    data_ = grant.json()["data"]
    if send_bytes:
        put = requests.put(data_["presigned_url"], data=data, headers={"Content-Type": "audio/webm"}, timeout=10)
        assert put.status_code == 200, put.text
    return data_["voicenote_id"]


def transcription_when_ready(note_id, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return client.recordings(note_id).transcription.get()
        except TranscriptionNotFoundError:
            assert time.monotonic() < deadline, "never transcribed"
            time.sleep(0.05)


def raises(kind, call):
    try:
        call()
    except kind as e:
        return e
    raise AssertionError(f"expected {kind.__name__}")


class Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint: every POST goes on `got`, answered 200."""

    got = queue.Queue()

    def do_POST(self):
        payload = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        Receiver.got.put((dict(self.headers), payload))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def check_token():
    minted = mint()
    assert minted["success"] is True and minted["data"]["token_type"] == "Bearer", minted
    assert minted["data"]["expires_in"] == 3600 and minted["data"]["jwt_token"], minted
    assert minted["data"]["scopes"] == ["voice-api.upload_recording"], minted
    assert mint(expires_in=120)["data"]["expires_in"] == 120
    e = raises(ValidationError, lambda: mint(expires_in=5))
    assert e.error_code == 2003 and e.details["field"] == "expires_in", e.details
    wrong = AccessToken(api_key=KEY, api_secret="wrong", identity=USER, base_url=API)
    e = raises(AuthenticationError, wrong)
    assert e.error_code == 1001, e.error_code
    e = raises(AuthenticationError, Client(api_key="sk_test_nobody", api_secret=SECRET, base_url=API).recordings.list)
    assert e.status_code == 401


def check_list_get_delete():
    first, second = upload(b"first"), upload(b"second")
    page = client.recordings.list(limit=1)
    assert page["pagination"]["has_more"] is True and page["data"][0]["id"] == second, page
    rest = client.recordings.list(page=1, limit=1)
    assert rest["data"][0]["id"] == first, rest
    mine = client.recordings.list(date_from="2000-01-01", date_to="2999-12-31")
    ids = [n["id"] for n in mine["data"]]
    assert first in ids and second in ids, ids
    assert client.recordings.list(date_from="2999-01-01")["data"] == []
    e = raises(ValidationError, lambda: client.recordings.list(status="done"))
    assert e.error_code == 2003 and e.details["field"] == "status", e.details

    note = client.recordings.get(first)["data"]
    assert note["id"] == first and note["user_id"] == USER and note["file_size"] == 5, note
    assert client.recordings(second).get()["data"]["id"] == second

    assert client.recordings.delete(first) == {}
    e = raises(NotFoundError, lambda: client.recordings.get(first))
    assert e.error_code == 6001 and e.details == {"voicenote_id": first}, e.details
    assert client.recordings(second).delete() == {}
    e = raises(NotFoundError, lambda: client.recordings.delete(second))
    assert e.error_code == 6001


def check_transcription():
    pending = upload(send_bytes=False)
    e = raises(TranscriptionNotFoundError, lambda: client.recordings(pending).transcription.get())
    assert e.error_code == 6002, e.error_code
    note = upload(b"some speech")
    t = transcription_when_ready(note)["data"]
    assert t["voicenote_id"] == note and t["text"].startswith("[simulated transcript"), t
    assert client.recordings.get(note)["data"]["status"] == "completed"
    done = [n["id"] for n in client.recordings.list(status="completed")["data"]]
    assert note in done, done

    script = {"route": "transcription", "responses": [{"kind": "fail", "reason": "Audio quality too low"}]}
    assert requests.post(f"{API}/__dev/faults", json=script, timeout=10).status_code == 200
    failed = upload(b"noise")
    deadline = time.monotonic() + 10
    while client.recordings.get(failed)["data"]["status"] != "failed":
        assert time.monotonic() < deadline, "never failed"
        time.sleep(0.05)
    e = raises(ServerError, lambda: client.recordings(failed).transcription.get())
    assert e.error_code == 3003 and e.details["reason"] == "Audio quality too low", e.details


def check_webhooks():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/vocafuse"
    try:
        hook = client.webhooks.create(url=url, events=["recording.completed"], secret=WEBHOOK_SECRET)["data"]
        assert hook["url"] == url and hook["events"] == ["recording.completed"], hook
        assert any(h["id"] == hook["id"] for h in client.webhooks.list()["data"])
        e = raises(ValidationError, lambda: client.webhooks.create(url=url, events=["recording.failed"]))
        assert e.error_code == 5005 and e.details == {"url": url}, e.details
        updated = client.webhooks.update(hook["id"], url=url, events=["recording.completed", "recording.failed"])
        assert updated["data"]["events"] == ["recording.completed", "recording.failed"], updated

        note = upload(b"hello webhook")
        headers, payload = Receiver.got.get(timeout=10)
        headers = {k.lower(): v for k, v in headers.items()}
        signature, timestamp = headers["x-vocafuse-signature"], headers["x-vocafuse-timestamp"]
        delivery_id = headers["x-vocafuse-delivery-id"]
        assert signature.startswith("sha256="), signature
        valid = RequestValidator(WEBHOOK_SECRET).validate(payload, signature, url=url, timestamp=timestamp, delivery_id=delivery_id)
        assert valid, (headers, payload)
        assert not RequestValidator("whsec_other").validate(payload, signature, timestamp=timestamp, delivery_id=delivery_id)
        assert not RequestValidator(WEBHOOK_SECRET).validate(payload + " ", signature, timestamp=timestamp, delivery_id=delivery_id)
        event = json.loads(payload)
        assert event["event"] == "recording.completed" and event["data"]["id"] == note, event
        assert event["data"]["transcription"]["text"] == transcription_when_ready(note)["data"]["text"]

        assert client.webhooks.delete(hook["id"]) == {}
        e = raises(WebhookNotFoundError, lambda: client.webhooks.delete(hook["id"]))
        assert e.error_code == 6003 and e.details == {"webhook_id": hook["id"]}, e.details
    finally:
        server.shutdown()


CHECKS = [check_token, check_list_get_delete, check_transcription, check_webhooks]

if __name__ == "__main__":
    passed = failed = 0
    for check in CHECKS:
        try:
            check()
            passed += 1
            print(f"ok {check.__name__}")
        except Exception:  # every failure is reported, then counted
            failed += 1
            print(f"FAILED {check.__name__}")
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
