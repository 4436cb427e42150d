"""The console's endpoints under /console (REQ-CONSOLE-001..011). They are registered without
key authentication: each resolves the session cookie itself, and /v1 never looks at the cookie
(REQ-CONSOLE-004). Every answer is a page or a redirect, except the live stream (SSE)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from axme_server.console import render, views
from axme_server.console.sessions import NotSignedIn, Session, Sessions, clear_cookie, csrf_ok, set_cookie
from axme_server.engine import Ctx
from axme_server.errors import ApiError
from axme_server.http import Request, Router
from axme_server.pages.handlers import FormError, decision_body
from axme_server.routes.intents import since_of
from axme_server.sse import IntentStream

if TYPE_CHECKING:
    from axme_server.app import App

MAX_FIELDS = 200
SIGN_IN = "/console/sign-in"
Page = Callable[[Request, Session], Awaitable[render.ConsoleResponse]]


def _secure(req: Request) -> bool:
    return req.scope.get("scheme") == "https"


def _form(req: Request) -> dict[str, str]:
    try:
        return dict(parse_qsl(req.body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except (UnicodeDecodeError, ValueError):
        raise ApiError("bad_request", "this form could not be read; send it again from the page") from None


def _same_origin(req: Request) -> bool:
    """A POST whose Origin names another site is refused (REQ-CONSOLE-005); no Origin: the token decides."""
    origin = req.headers.get("origin")
    return origin is None or origin == f"{req.scope.get('scheme', 'http')}://{req.headers.get('host', '')}"


def _error(session: Session | None, exc: ApiError) -> render.ConsoleResponse:
    return render.page(
        "error.html",
        exc.status,
        who=session and session.principal,
        csrf=session and session.csrf,
        title="Not found" if exc.status == 404 else "Refused",
        message=exc.message,
        code=exc.code,
    )


def register(router: Router, app: App) -> None:
    engine = app.engine
    sessions = app.console = Sessions(engine)

    def signed_in(handler: Page, *, post: bool = False) -> Callable[[Request], Awaitable[Any]]:
        async def run(req: Request) -> Any:
            try:
                session = sessions.current(req.headers)
            except NotSignedIn:
                if post:
                    return render.page("sign_in.html", 401, error="Your session has ended; sign in again.")
                return render.redirect(SIGN_IN)
            try:
                if post and (not _same_origin(req) or not csrf_ok(session, _form(req))):
                    raise ApiError(
                        "forbidden",
                        "the form's security token is missing or wrong; reload the page and try again",
                        {"reason": "csrf"},
                    )
                return await handler(req, session)
            except ApiError as exc:
                return _error(session, exc)

        return run

    def ctx(session: Session) -> Ctx:
        return Ctx(session.principal, "web")

    def common(session: Session, nav: str) -> dict[str, Any]:
        return {"who": session.principal, "csrf": session.csrf, "nav": nav}

    async def home(req: Request) -> Any:
        return render.redirect("/console/intents")

    async def sign_in_page(req: Request) -> Any:
        try:
            sessions.current(req.headers)
            return render.redirect("/console/intents")
        except NotSignedIn:
            return render.page("sign_in.html", 200, error=None)

    async def sign_in(req: Request) -> Any:
        if not _same_origin(req):
            return render.page("sign_in.html", 403, error="Sign in from this server's own page.")
        try:
            session_id, _ = await sessions.sign_in(_form(req).get("api_key", ""))
        except ApiError as exc:
            return render.page(
                "sign_in.html",
                401 if exc.status == 401 else exc.status,
                error=f"That key was refused: {exc.message}.",
            )
        cookie = set_cookie(session_id, int(sessions.lifetime), _secure(req))
        return render.redirect("/console/intents", [(b"set-cookie", cookie)])

    async def sign_out(req: Request, session: Session) -> Any:
        await sessions.sign_out(session)
        return render.redirect(SIGN_IN, [(b"set-cookie", clear_cookie(_secure(req)))])

    async def intents(req: Request, session: Session) -> Any:
        q = {k: req.query.get(k, "") for k in ("status", "type", "agent", "mine", "q", "cursor")}
        data = await views.intent_list(engine, ctx(session), q)
        nxt = None
        if data["next_cursor"]:
            nxt = "/console/intents?" + urlencode(
                {**{k: v for k, v in q.items() if v}, "cursor": data["next_cursor"]}
            )
        return render.page("intents.html", **common(session, "intents"), q=q, next_url=nxt, **data)

    async def intent(
        req: Request, session: Session, error: str | None = None, values: Any = None, status: int = 200
    ) -> Any:
        data = views.intent_detail(engine, ctx(session), req.params["intent_id"])
        return render.page(
            "intent.html",
            status,
            **common(session, "intents"),
            error=error,
            values=values or {},
            recorded=req.query.get("recorded"),
            **data,
        )

    async def stream(req: Request) -> Any:
        try:
            session = sessions.current(req.headers)
        except NotSignedIn:
            raise ApiError("unauthorized", "no console session: sign in at /console/sign-in") from None
        req.ctx = ctx(session)
        intent_id = req.params["intent_id"]
        engine.intents.get_intent(req.ctx, intent_id)  # 404 exactly as getIntent (REQ-CONSOLE-006)
        return IntentStream(
            engine, intent_id, since_of(req), req.q_float("wait_seconds", 30.0, 1.0, 300.0), None
        )

    async def decide(req: Request, session: Session) -> Any:
        intent_id = req.params["intent_id"]
        form = _form(req)
        doc = engine.intents.get_intent(ctx(session), intent_id)
        task = doc.get("human_task") or {}
        try:
            await engine.humans.decide(ctx(session), intent_id, decision_body(task, form))
        except (FormError, ApiError) as exc:
            if isinstance(exc, ApiError) and exc.status != 422:
                raise
            values = {k.removeprefix("data."): v for k, v in form.items() if k != "csrf"}
            return await intent(
                req, session, str(exc) if isinstance(exc, FormError) else exc.message, values, 422
            )
        return render.redirect(f"/console/intents/{intent_id}?recorded={form.get('outcome', '')}")

    async def inbox(req: Request, session: Session) -> Any:
        data = views.inbox(engine, ctx(session), views._cursor(req.query))
        nxt = f"/console/inbox?cursor={data['next_cursor']}" if data["next_cursor"] else None
        return render.page("inbox.html", **common(session, "inbox"), next_url=nxt, **data)

    async def agents(req: Request, session: Session, new_key: dict[str, Any] | None = None) -> Any:
        data = views.agents(engine, ctx(session), req.query.get("cursor") or None)
        nxt = f"/console/agents?{urlencode({'cursor': data['next_cursor']})}" if data["next_cursor"] else None
        return render.page("agents.html", **common(session, "agents"), next_url=nxt, new_key=new_key, **data)

    async def create_key(req: Request, session: Session) -> Any:
        created = views.created_key(
            await engine.directory.create_agent_key(ctx(session), _form(req).get("address", ""))
        )
        return await agents(req, session, new_key=created)  # shown once, never in a URL

    async def revoke_key(req: Request, session: Session) -> Any:
        await engine.directory.revoke_key(ctx(session), _form(req).get("key_id", ""))
        return render.redirect("/console/agents")

    async def static(req: Request) -> Any:
        found = render.static(req.params["name"])
        if found is None:
            raise ApiError("not_found", "no such file")
        return found

    router.add("GET", "/console", "consoleHome", home, auth=False)
    router.add("GET", SIGN_IN, "consoleSignInPage", sign_in_page, auth=False)
    router.add("POST", SIGN_IN, "consoleSignIn", sign_in, auth=False)
    router.add("POST", "/console/sign-out", "consoleSignOut", signed_in(sign_out, post=True), auth=False)
    router.add("GET", "/console/intents", "consoleIntents", signed_in(intents), auth=False)
    router.add("GET", "/console/intents/{intent_id}", "consoleIntent", signed_in(intent), auth=False)
    router.add("GET", "/console/intents/{intent_id}/events", "consoleIntentStream", stream, auth=False)
    router.add(
        "POST",
        "/console/intents/{intent_id}/decision",
        "consoleDecide",
        signed_in(decide, post=True),
        auth=False,
    )
    router.add("GET", "/console/inbox", "consoleInbox", signed_in(inbox), auth=False)
    router.add("GET", "/console/agents", "consoleAgents", signed_in(agents), auth=False)
    router.add(
        "POST", "/console/agents/keys", "consoleCreateKey", signed_in(create_key, post=True), auth=False
    )
    router.add(
        "POST", "/console/keys/revoke", "consoleRevokeKey", signed_in(revoke_key, post=True), auth=False
    )
    router.add("GET", "/console/static/{name}", "consoleStatic", static, auth=False)
