// Header names in lower case, whatever case the client sent them in (a REST API passes them on as written), so
// the handlers read `authorization`, `if-match`, `idempotency-key` alone. Our own middleware, not
// @middy/http-header-normalizer: that one's canonical-case mode and its exception list weighed 1.3 KB in every
// function, for this one loop.
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Prototype-free, as the names come from the request: a header called `__proto__` is just a header. */
function lowerCased<T>(headers: Record<string, T>): Record<string, T> {
  const lower: Record<string, T> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}

export const lowerCaseHeaders: MiddlewareObj<APIGatewayProxyEvent> = {
  before: async ({ event }) => {
    if (event.headers) event.headers = lowerCased(event.headers);
    if (event.multiValueHeaders) event.multiValueHeaders = lowerCased(event.multiValueHeaders);
  },
};
