// AWS list prices the cost figures are computed from: us-east-1, on-demand, no free tier, no savings plan.
//
// Written down on 2026-11-23 from the author's knowledge of AWS's public price pages (the prices as last known
// in 2025), without network access to check them. They are list prices to be checked against the pages below
// before anyone quotes a figure; change them here and every cost figure follows.

export const PRICES_AS_OF = 'list prices as last known (2025), written down 2026-11-23; check before quoting';

export const PRICES = {
  lambda: {
    source: 'https://aws.amazon.com/lambda/pricing/',
    /** Arm (Graviton), first 6 billion GB-seconds a month. */
    perGbSecondArm: 0.0000133334,
    perRequest: 0.2 / 1e6,
  },
  dynamodb: {
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    /** On-demand, Standard table class (after the November 2024 halving). */
    perWriteRequestUnit: 0.625 / 1e6,
    perReadRequestUnit: 0.125 / 1e6,
  },
  apiGateway: {
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    /** REST API, first 333 million requests a month. */
    perRestRequest: 3.5 / 1e6,
  },
  ses: {
    source: 'https://aws.amazon.com/ses/pricing/',
    /** Outbound email, per message (no attachments). */
    perEmail: 0.1 / 1000,
  },
  cognito: {
    source: 'https://aws.amazon.com/cognito/pricing/',
    /**
     * User pools bill per monthly active user (MAU): a user with an identity operation in the month (sign-in,
     * token refresh, sign-up, password change, attribute update), not per API call. The admin API calls
     * Gatehouse makes are not billed themselves; they are limited by quotas.
     */
    essentialsPerMau: 0.015,
    essentialsFreeMau: 10_000,
    plusPerMau: 0.02,
  },
} as const;
