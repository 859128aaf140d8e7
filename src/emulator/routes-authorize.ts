import type { FastifyInstance, FastifyReply } from 'fastify';
import { accountEmailFor, alreadyGranted, answerAuthorization, errorRedirect } from './authorize-flow.js';
import { checkAuthorizationRequest } from './authorize-request.js';
import type { AuthorizationRequest, ConsentDecision } from './codes.js';
import { CONSENT_CSS, pageHeaders, renderConsentPage, renderErrorPage } from './consent-page.js';
import { PATHS } from './context.js';
import type { EmulatorContext } from './context.js';
import { formValue, formValues } from './form.js';
import { gate } from './gate.js';
import { isEmail } from './options.js';
import { canonicalScope, describeScope, isSignInScope } from './scopes.js';

/** The authorization endpoint (RFC 6749 §3.1), its consent page and the page's form target. */
export function registerAuthorizeRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get(PATHS.authorize, { preHandler: gate(ctx, () => ['authorize']) }, async (req, reply) => {
    const check = checkAuthorizationRequest(ctx, req.query as Record<string, unknown>);
    if (check.kind === 'page_error') return sendErrorPage(ctx, reply, check.error, check.description);
    if (check.kind === 'redirect_error') {
      return redirect(reply, errorRedirect(ctx, check.redirectUri, check.state, check.error, check.description));
    }
    const request = check.request;
    const decision = takeNextConsent(ctx);
    const email = accountEmailFor(ctx, request, decision);
    if (request.prompt.includes('none')) {
      return redirect(
        reply,
        alreadyGranted(ctx, request, email)
          ? answerAuthorization(ctx, request, decision, { allow: true, email })
          : errorRedirect(ctx, request.redirectUri, request.state, 'consent_required', 'The user has not granted these scopes.'),
      );
    }
    if (decision?.autoApprove ?? ctx.switches.autoApprove) {
      return redirect(reply, answerAuthorization(ctx, request, decision, { allow: true, email }));
    }
    const requestId = ctx.codes.savePending(request, decision);
    return sendConsentPage(ctx, reply, 200, { requestId, request, decision, email });
  });

  app.post(PATHS.decision, { preHandler: gate(ctx, () => ['decision']) }, async (req, reply) => {
    const requestId = formValue(req.body, 'request_id') ?? '';
    const pending = ctx.codes.peekPending(requestId);
    if (!pending) return sendErrorPage(ctx, reply, 'invalid_request', 'This sign-in request has expired or was already answered. Start again from the application.');
    const action = formValue(req.body, 'action');
    const email = (formValue(req.body, 'email') ?? '').trim();
    if (action === 'allow' && !isEmail(email)) {
      const view = { requestId, request: pending.request, decision: pending.decision, email, error: 'Enter a valid email address.' };
      return sendConsentPage(ctx, reply, 400, view);
    }
    if (action !== 'allow' && action !== 'cancel') return sendErrorPage(ctx, reply, 'invalid_request', 'Choose Allow or Cancel.');
    ctx.codes.takePending(requestId);
    const ticked = formValues(req.body, 'scope');
    return redirect(reply, answerAuthorization(ctx, pending.request, pending.decision, { allow: action === 'allow', email, ticked }));
  });

  app.get(PATHS.consentCss, async (_req, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(CONSENT_CSS),
  );
}

function takeNextConsent(ctx: EmulatorContext): ConsentDecision | undefined {
  const decision = ctx.switches.nextConsent;
  ctx.switches.nextConsent = undefined;
  return decision;
}

interface ConsentPageInput {
  requestId: string;
  request: AuthorizationRequest;
  decision: ConsentDecision | undefined;
  email: string;
  error?: string;
}

function sendConsentPage(ctx: EmulatorContext, reply: FastifyReply, status: number, input: ConsentPageInput): FastifyReply {
  const withheld = new Set((input.decision?.withholdScopes ?? []).map(canonicalScope));
  const redirectOrigin = new URL(input.request.redirectUri).origin;
  const html = renderConsentPage({
    basePath: basePath(ctx),
    requestId: input.requestId,
    clientId: input.request.client.clientId,
    redirectOrigin,
    email: input.email,
    scopes: input.request.scopes
      .filter((s) => !isSignInScope(s))
      .map((s) => ({ value: s, description: describeScope(s), checked: !withheld.has(canonicalScope(s)) })),
    ...(input.error === undefined ? {} : { error: input.error }),
  });
  return reply.code(status).headers(pageHeaders(redirectOrigin)).send(html);
}

function sendErrorPage(ctx: EmulatorContext, reply: FastifyReply, error: string, description: string): FastifyReply {
  return reply.code(400).headers(pageHeaders()).send(renderErrorPage(basePath(ctx), error, description));
}

function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(location, 302);
}

function basePath(ctx: EmulatorContext): string {
  return new URL(ctx.issuer()).pathname.replace(/\/+$/, '');
}
