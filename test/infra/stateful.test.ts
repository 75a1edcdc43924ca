// The stateful stack for three tenants: tables from the shared definitions, one configured pool per tenant, triggers.
import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/table-definitions.ts';
import type { TenantConfig } from '#config/tenants.ts';
import { TRIGGERS, type TriggerName } from '#lib/access.ts';
import { DEFAULT_CALLBACK_URL, type TenantPool } from '#lib/tenant-pool.ts';
import { grantsNamed, grantsOf, type Synthesised, synthesise } from './gatehouse.ts';

let built: Synthesised;
let template: Template;
const idOf = (element: unknown) => built.stateful.getLogicalId(element as CfnElement);
const poolOf = (tenant: TenantConfig) =>
  built.stateful.tenants.find((p) => p.tenant.id === tenant.id) as TenantPool;
const providerId = (tenant: TenantConfig) =>
  idOf(poolOf(tenant).node.findChild(tenant.sso?.type === 'saml' ? 'Saml' : 'Oidc').node.defaultChild);
const TRIGGER_NAMES = Object.keys(TRIGGERS) as TriggerName[];
const triggerId = (name: TriggerName) => idOf(built.stateful.triggers[name].function.node.defaultChild);
/** A table of this stack by its variable (`PROFILES_TABLE`), or the raw form of anything else. */
const tableMeaning = (node: unknown) => {
  const name = JSON.stringify(node);
  const table = Object.entries(built.stateful.tables.byEnvVar).find(([, t]) =>
    name.includes(idOf(t.node.defaultChild)),
  );
  return table ? table[0] : name;
};

beforeAll(() => {
  built = synthesise({ bundle: ['Gatehouse-Stateful'] });
  template = built.templates.stateful;
});

describe('tables', () => {
  it.each(
    TABLES.map((t) => [t.name, t] as const),
  )('builds %s from its shared definition: on demand, PITR, encrypted, deletion-protected, retained', (_, definition) => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: definition.timeToLiveAttribute
          ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
          : Match.absent(),
        GlobalSecondaryIndexes:
          definition.globalIndexes.length > 0
            ? definition.globalIndexes.map((index) =>
                Match.objectLike({
                  IndexName: index.name,
                  KeySchema: [
                    { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                    { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
                  ],
                }),
              )
            : Match.absent(),
      }),
    });
  });

  it('has exactly the tables the definitions name', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
  });
});

describe('user pools', () => {
  it('creates one pool, app client and login domain per tenant', () => {
    expect(built.config.tenants).toHaveLength(3);
    template.resourceCountIs('AWS::Cognito::UserPool', 3);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 3);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 3);
  });

  describe.each(['acme', 'globex', 'initech'].map((id) => [id] as const))('tenant %s', (tenantId) => {
    const tenant = () => built.config.tenants.find((t) => t.id === tenantId) as TenantConfig;

    it('signs in by email, case-insensitively, with logins only an administrator creates', () => {
      template.hasResource('AWS::Cognito::UserPool', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          UserPoolName: `gatehouse-${tenantId}`,
          UsernameAttributes: ['email'],
          UsernameConfiguration: { CaseSensitive: false },
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          DeletionProtection: 'ACTIVE',
        }),
      });
    });

    it('takes its password policy, temporary-password validity and MFA from the configuration', () => {
      const { passwordPolicy: policy, mfa } = tenant();
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `gatehouse-${tenantId}`,
        Policies: {
          PasswordPolicy: {
            MinimumLength: policy.minimumLength,
            RequireLowercase: policy.requireLowercase,
            RequireUppercase: policy.requireUppercase,
            RequireNumbers: policy.requireNumbers,
            RequireSymbols: policy.requireSymbols,
            TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
          },
        },
        MfaConfiguration: { off: 'OFF', optional: 'OPTIONAL', required: 'ON' }[mfa],
        EnabledMfas: mfa === 'off' ? Match.absent() : ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: tenant().featurePlan === 'plus' ? 'PLUS' : 'ESSENTIALS',
      });
    });

    it('holds tenantId and userId as immutable custom attributes', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `gatehouse-${tenantId}`,
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }),
          Match.objectLike({ Name: 'userId', AttributeDataType: 'String', Mutable: false }),
        ]),
      });
    });

    it('mails through SES from the configured sender, or through Cognito where configured', () => {
      const t = tenant();
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `gatehouse-${tenantId}`,
        EmailConfiguration:
          t.mailVia === 'cognito'
            ? { EmailSendingAccount: 'COGNITO_DEFAULT' }
            : {
                EmailSendingAccount: 'DEVELOPER',
                From: `${t.name} <${t.mailFrom}>`,
                SourceArn: {
                  'Fn::Join': [
                    '',
                    [
                      `arn:aws:ses:${built.config.region}:`,
                      { Ref: 'AWS::AccountId' },
                      `:identity/${t.sesVerifiedDomain ?? t.mailFrom}`,
                    ],
                  ],
                },
              },
      });
    });

    it('calls the custom-message, pre- and post-authentication and pre-token triggers, which it may invoke', () => {
      const poolId = idOf(poolOf(tenant()).userPool.node.defaultChild);
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `gatehouse-${tenantId}`,
        LambdaConfig: {
          CustomMessage: { 'Fn::GetAtt': [triggerId('customMessage'), 'Arn'] },
          PreAuthentication: { 'Fn::GetAtt': [triggerId('preAuthentication'), 'Arn'] },
          PostAuthentication: { 'Fn::GetAtt': [triggerId('postAuthentication'), 'Arn'] },
          PreTokenGeneration: { 'Fn::GetAtt': [triggerId('preTokenGeneration'), 'Arn'] },
        },
      });
      for (const trigger of TRIGGER_NAMES) {
        template.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'cognito-idp.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [triggerId(trigger), 'Arn'] },
          SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
        });
      }
    });

    it('has an app client for code + PKCE with SRP, token revocation and no user-existence errors', () => {
      const t = tenant();
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        UserPoolId: { Ref: idOf(poolOf(t).userPool.node.defaultChild) },
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: t.appClient?.callbackUrls ?? [DEFAULT_CALLBACK_URL],
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
        ReadAttributes: Match.arrayWith(['custom:tenantId', 'custom:userId']),
        SupportedIdentityProviders: t.sso ? ['COGNITO', { Ref: providerId(t) }] : ['COGNITO'],
      });
    });

    it('has its login domain on managed login (version 2)', () => {
      const t = tenant();
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        UserPoolId: { Ref: idOf(poolOf(t).userPool.node.defaultChild) },
        Domain: t.domainPrefix ?? { 'Fn::Join': ['', Match.arrayWith([`gatehouse-${t.id}-`])] },
        ManagedLoginVersion: 2,
      });
    });

    it("brands its managed login for its app client with the tenant's name", () => {
      const pool = poolOf(tenant());
      template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
        UserPoolId: { Ref: idOf(pool.userPool.node.defaultChild) },
        ClientId: { Ref: idOf(pool.client.node.defaultChild) },
        Assets: [Match.objectLike({ Category: 'FORM_LOGO', Extension: 'SVG' })],
      });
      const brandings = template.findResources('AWS::Cognito::ManagedLoginBranding', {
        Properties: { ClientId: { Ref: idOf(pool.client.node.defaultChild) } },
      });
      const [branding] = Object.values(brandings);
      const logo = Buffer.from(branding?.Properties.Assets[0].Bytes, 'base64').toString('utf8');
      expect(logo).toContain(`<title>${tenant().name}</title>`);
      expect(branding?.DependsOn).toContain(idOf(pool.domain.node.defaultChild));
    });

    it('outputs the managed login URL a person can open: the app client, back to its first callback URL', () => {
      const t = tenant();
      const pool = poolOf(t);
      const output = built.stateful.resolve(pool.loginUrl) as { 'Fn::Join': [string, unknown[]] };
      const parts = JSON.stringify(output['Fn::Join'][1]);
      expect(parts).toContain(idOf(pool.client.node.defaultChild));
      expect(parts).toContain('/login?client_id=');
      expect(parts).toContain(
        `redirect_uri=${encodeURIComponent(t.appClient?.callbackUrls[0] ?? DEFAULT_CALLBACK_URL)}`,
      );
      template.hasOutput(`${t.id}LoginUrl`, { Value: output });
    });
  });

  it("tells the triggers the sign-in link of tenants that name their application, and lets custom-message read the pools' managed login", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SIGN_IN_URLS: JSON.stringify({ globex: 'https://app.globex.example.com/sign-in' }),
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: [
              'cognito-idp:DescribeUserPool',
              'cognito-idp:DescribeUserPoolClient',
              'cognito-idp:ListUserPoolClients',
            ],
            Effect: 'Allow',
          }),
        ],
      },
      Roles: [{ Ref: idOf(built.stateful.triggers.customMessage.role.node.defaultChild) }],
    });
  });

  it('never lets an app client write the tenant or user id', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    for (const client of Object.values(clients)) {
      const writable = (client.Properties.WriteAttributes ?? []) as string[];
      expect(writable.length).toBeGreaterThan(0); // absent would mean "every standard attribute"
      expect(writable.filter((a) => a.startsWith('custom:'))).toEqual([]);
    }
  });

  it('federates acme through OIDC, its client secret read from Secrets Manager at deploy time', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'AcmeEntra',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({
        client_id: 'acme-gatehouse',
        client_secret: '{{resolve:secretsmanager:gatehouse/acme/oidc-client-secret:SecretString:::}}',
        oidc_issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      }),
      AttributeMapping: Match.objectLike({ email: 'email' }),
    });
  });

  it('federates globex through SAML metadata', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'GlobexOkta',
      ProviderType: 'SAML',
      ProviderDetails: Match.objectLike({
        MetadataURL: 'https://globex.okta.example.com/app/exk000/sso/saml/metadata',
      }),
    });
  });
});

describe('triggers', () => {
  it('are the four of lib/access.ts, each its own function', () => {
    expect([...TRIGGER_NAMES].sort()).toEqual([
      'customMessage',
      'postAuthentication',
      'preAuthentication',
      'preTokenGeneration',
    ]);
    expect(new Set(TRIGGER_NAMES.map(triggerId)).size).toBe(TRIGGER_NAMES.length);
  });

  it.each(
    TRIGGER_NAMES.map((name) => [name] as const),
  )('%s runs on Node.js 22, arm64, JSON logs, within Cognito’s 5 seconds, knowing no pool', (name) => {
    const fn = template.findResources('AWS::Lambda::Function')[triggerId(name)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 5,
      LoggingConfig: expect.objectContaining({ LogFormat: 'JSON' }),
    });
    const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
    // The trigger environment names no pool: a pool refers to its triggers, never the reverse.
    expect(Object.keys(variables).sort()).toEqual([
      'HISTORY_TABLE',
      'LICENCE_REQUIRED_TENANTS',
      'NODE_OPTIONS',
      'PROFILES_TABLE',
      'SIGN_IN_URLS',
      'TENANT_NAMES',
    ]);
    expect(JSON.parse(variables.TENANT_NAMES as string)).toEqual({
      acme: 'Acme Field Services',
      globex: 'Globex Utilities',
      initech: 'Initech',
    });
    // The fixture's globex sets licenceRequired; acme and initech leave it at its default, false.
    expect(JSON.parse(variables.LICENCE_REQUIRED_TENANTS as string)).toEqual(['globex']);
  });

  it.each(
    TRIGGER_NAMES.map((name) => [name] as const),
  )('grants %s exactly the table actions its entry in lib/access.ts names', (name) => {
    // custom-message also reads the pools' managed login, which is no table (see the test above).
    const lookup =
      name === 'customMessage'
        ? ['DescribeUserPool', 'DescribeUserPoolClient', 'ListUserPoolClients'].map(
            (action) =>
              `cognito-idp:${action}@arn:aws:cognito-idp:eu-west-1:{"Ref":"AWS::AccountId"}:userpool/*`,
          )
        : [];
    expect(grantsOf(template, triggerId(name), tableMeaning)).toEqual(
      [...grantsNamed(TRIGGERS[name].access), ...lookup].sort(),
    );
  });

  it('lets pre-authentication read the profile only, and pre-token generation also read the role catalogue and seed it', () => {
    const grants = (name: TriggerName) => grantsOf(template, triggerId(name), tableMeaning);
    expect(grants('preAuthentication')).toEqual(['dynamodb:GetItem@PROFILES_TABLE']);
    expect(grants('preTokenGeneration')).toEqual([
      'dynamodb:GetItem@PROFILES_TABLE',
      'dynamodb:PutItem@PROFILES_TABLE',
      'dynamodb:Query@PROFILES_TABLE',
    ]);
  });
});
