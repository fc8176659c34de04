"""Starter app for a Convergence tenant, on FastAPI (served by uvicorn).

The platform injects CONVERGENCE_API_URL, CONVERGENCE_API_KEY, CONVERGENCE_ORG_ID, CONVERGENCE_ENV_ID,
TENANT_ID and TENANT_NAME; on Swarm the key arrives as a secret file named by
CONVERGENCE_API_KEY_FILE instead of CONVERGENCE_API_KEY. Standard library only besides FastAPI and
uvicorn, so the image needs nothing Debian's python3-fastapi and python3-uvicorn do not bring.
"""

import asyncio
import hashlib
import hmac
import html
import os
import re
import urllib.error
import urllib.request

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

env = os.environ


def read_key():
    path = env.get("CONVERGENCE_API_KEY_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return env.get("CONVERGENCE_API_KEY")


API_KEY = read_key()

# Calls that came through the public ingress (https://<name>-<envId>.<domain>) carry this header,
# which the ingress sets itself over anything a client sent: they must bring this tenant's API key
# (Authorization: Bearer ...), or anyone who guessed the hostname would spend the tenant's quota.
# Calls on the container's own port (the host's loopback port) are the owner's and need none.
INGRESS_MARKER = "x-convergence-ingress"
BEARER = re.compile(r"^Bearer\s+(\S+)\s*$", re.IGNORECASE)
KEY_REQUIRED = {
    "success": False,
    "error": {"code": "UNAUTHORIZED", "message": "calls through the public hostname need Authorization: Bearer <this tenant's API key>"},
}


def digest(s):
    return hashlib.sha256(s.encode()).digest()


def bearer_matches_key(authorization):
    m = BEARER.match(authorization or "")
    # Compared as fixed-length digests, in constant time.
    return bool(m and API_KEY) and hmac.compare_digest(digest(m.group(1)), digest(API_KEY))


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/health")
def health():
    return {"status": "ok", "tenant": env.get("TENANT_ID")}


@app.get("/", response_class=HTMLResponse)
def root():
    name = html.escape(env.get("TENANT_NAME", ""))
    return (
        f"<!doctype html><title>{name}</title><h1>{name}</h1>\n"
        f"<p>Tenant {html.escape(env.get('TENANT_ID', ''))} of organisation {html.escape(env.get('CONVERGENCE_ORG_ID', ''))}, "
        "running on Convergence (Python, FastAPI).</p>"
    )


def forward(body):
    """One POST to the master with this tenant's key: (status, headers, body), error statuses included."""
    req = urllib.request.Request(
        f"{env.get('CONVERGENCE_API_URL')}/converge",
        data=body,
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {API_KEY}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


# Forwards to the master with this tenant's own key; the master's status and body pass through.
@app.post("/api/converge")
async def converge(request: Request):
    if INGRESS_MARKER in request.headers and not bearer_matches_key(request.headers.get("authorization")):
        return JSONResponse(KEY_REQUIRED, status_code=401, headers={"www-authenticate": "Bearer"})
    body = await request.body()
    try:
        status, headers, data = await asyncio.to_thread(forward, body)
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        return JSONResponse(
            {"success": False, "error": {"code": "UPSTREAM_UNREACHABLE", "message": f"the Convergence master at {env.get('CONVERGENCE_API_URL')} could not be reached: {reason}"}},
            status_code=502,
        )
    out = {"content-type": headers.get("content-type", "application/json")}
    if headers.get("retry-after"):
        out["retry-after"] = headers["retry-after"]
    return Response(content=data, status_code=status, headers=out)


if __name__ == "__main__":
    port = int(env.get("PORT", "3000"))
    print(f"{env.get('TENANT_ID')} ({env.get('TENANT_NAME')}) listening on {port}", flush=True)
    # uvicorn stops on SIGTERM/SIGINT after open requests finish.
    uvicorn.run(app, host="0.0.0.0", port=port, access_log=False, log_level="warning")
