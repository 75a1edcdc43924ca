// What 1,000 of an operation cost on AWS, from its measured calls, capacity, mails and duration (bench/prices.ts).
import { PRICES } from './prices.ts';

export interface CostInput {
  kind: 'route' | 'trigger' | 'job';
  rru: number;
  wru: number;
  mails: number;
  /** Mails Cognito sent, each worded by a CustomMessage invocation. */
  cognitoMails: number;
  /** The function's duration (ms); Lambda bills it rounded up to the millisecond. */
  ms: number;
}

export interface Cost {
  lambda: number;
  apiGateway: number;
  dynamodb: number;
  /** SES per mail, and the CustomMessage trigger Cognito invokes to word each of its mails. */
  mail: number;
  total: number;
}

/** The cost of 1,000 operations, in USD. */
export function costPerThousand(op: CostInput, options: { memoryMb: number; customMessageMs: number }): Cost {
  const { lambda, dynamodb, apiGateway, ses } = PRICES;
  const invocation = (ms: number) =>
    lambda.perRequest + (Math.ceil(ms) / 1000) * (options.memoryMb / 1024) * lambda.perGbSecondArm;
  const one = {
    lambda: invocation(op.ms),
    apiGateway: op.kind === 'route' ? apiGateway.perRestRequest : 0,
    dynamodb: op.rru * dynamodb.perReadRequestUnit + op.wru * dynamodb.perWriteRequestUnit,
    mail: op.mails * ses.perEmail + op.cognitoMails * invocation(options.customMessageMs),
  };
  const thousand = (usd: number) => usd * 1000;
  return {
    lambda: thousand(one.lambda),
    apiGateway: thousand(one.apiGateway),
    dynamodb: thousand(one.dynamodb),
    mail: thousand(one.mail),
    total: thousand(one.lambda + one.apiGateway + one.dynamodb + one.mail),
  };
}
