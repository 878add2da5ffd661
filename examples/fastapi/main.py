"""Your backend's half with FastAPI and the official VocaFuse Python SDK: the token endpoint the
browser SDK's `tokenEndpoint` calls, and a webhook receiver that checks the signature first.

    VOCAFUSE_API_KEY=sk_test_… VOCAFUSE_API_SECRET=… WEBHOOK_SECRET=whsec_… uvicorn main:app

VOCAFUSE_API_BASE defaults to the real service; point it at the dev server to work offline.
"""

import json
import os

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from vocafuse import AccessToken, RequestValidator, VocaFuseError

API = os.environ.get("VOCAFUSE_API_BASE", "https://api.vocafuse.com")
app = FastAPI()
received = []  # the verified events, newest last (a stand-in for your own handling)


def current_user(request: Request):
    """The signed-in user of your app; a header stands in for your session here."""
    return request.headers.get("x-demo-user")


@app.post("/api/token")
def token(request: Request):
    user = current_user(request)
    if not user:
        return JSONResponse({"success": False, "message": "sign in first"}, status_code=401)
    minted = AccessToken(api_key=os.environ["VOCAFUSE_API_KEY"], api_secret=os.environ["VOCAFUSE_API_SECRET"], identity=user, base_url=API)
    try:
        # The envelope goes to the browser as it came: the SDK reads data.jwt_token / data.id_token.
        return minted(expires_in=3600, scopes=["voice-api.upload"])
    except VocaFuseError as e:
        return JSONResponse({"success": False, "message": e.message}, status_code=e.status_code or 502)


@app.post("/webhooks/vocafuse")
async def webhook(
    request: Request,
    x_vocafuse_signature: str = Header(""),
    x_vocafuse_timestamp: str = Header(""),
    x_vocafuse_delivery_id: str = Header(""),
):
    # The raw body, exactly as signed: parse it only after the signature checks out.
    payload = (await request.body()).decode("utf-8")
    validator = RequestValidator(os.environ["WEBHOOK_SECRET"])
    if not validator.validate(payload, x_vocafuse_signature, timestamp=x_vocafuse_timestamp, delivery_id=x_vocafuse_delivery_id):
        raise HTTPException(status_code=401, detail="bad signature")
    event = json.loads(payload)
    received.append(event)
    return {"received": True}


@app.get("/received")
def seen():
    """What the webhook accepted (for the example's test)."""
    return received
