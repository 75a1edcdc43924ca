// The AWS limits a deployment is designed within, and how a synthesised stack measures against them.
import { statSync } from 'node:fs';
import { type Stack, Stage } from 'aws-cdk-lib';

/** CloudFormation's per-template quotas (templates uploaded through S3, as CDK deploys them). */
export const CLOUDFORMATION_LIMITS = { resources: 500, bytes: 1_000_000, outputs: 200, parameters: 200 };

/** A Lambda function's environment: every key and value, at most 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/** A Lambda function's resource-based policy: at most 20 KB. */
export const LAMBDA_RESOURCE_POLICY_LIMIT = 20_480;

export interface TemplateFigures {
  resources: number;
  bytes: number;
  outputs: number;
  parameters: number;
}

/** The synthesised template of `stack`, as the deploy would upload it. */
export function synthesisedTemplate(stack: Stack): Record<string, Record<string, unknown> | undefined> {
  const assembly = (Stage.of(stack) as Stage).synth();
  return assembly.getStackArtifact(stack.artifactId).template;
}

export function templateFigures(stack: Stack): TemplateFigures {
  const artifact = (Stage.of(stack) as Stage).synth().getStackArtifact(stack.artifactId);
  const template = artifact.template as Record<string, Record<string, unknown> | undefined>;
  const count = (section: string) => Object.keys(template[section] ?? {}).length;
  return {
    resources: count('Resources'),
    // The file as CDK writes it (indented), which is what the deploy uploads and CloudFormation's 1 MB counts.
    bytes: statSync(artifact.templateFullPath).size,
    outputs: count('Outputs'),
    parameters: count('Parameters'),
  };
}

/** DynamoDB's longest table name: what a reference to one may become once deployed. */
const LONGEST_RESOLVED_VALUE = 255;

/** The bytes of a function's environment once deployed, each reference taken at the longest it may resolve to. */
export function environmentBytes(variables: Record<string, unknown>): number {
  return Object.entries(variables).reduce(
    (sum, [key, value]) =>
      sum + key.length + (typeof value === 'string' ? Buffer.byteLength(value) : LONGEST_RESOLVED_VALUE),
    0,
  );
}
