// The stateful stack for three tenants: tables from the shared definitions, one configured pool per tenant, triggers.
import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/table-definitions.ts';
import type { TenantConfig } from '#config/tenants.ts';
import { TenantRecordSchema, toTenant } from '#domain/tenant.ts';
import { TRIGGERS, type TriggerName } from '#lib/access.ts';
import { DEFAULT_CALLBACK_URL } from '#lib/tenant-pool.ts';
import type { GatehouseTenantStack } from '#lib/tenant-stack.ts';
import { grantsNamed, grantsOf, render, type Synthesised, synthesise } from './gatehouse.ts';

let built: Synthesised;
let template: Template;
const idOf = (element: unknown) => built.stateful.getLogicalId(element as CfnElement);
const stackOf = (tenant: TenantConfig) => built.tenants.get(tenant.id) as GatehouseTenantStack;
const poolOf = (tenant: TenantConfig) => stackOf(tenant).pool;
const tenantIdOf = (tenant: TenantConfig, element: unknown) =>
  stackOf(tenant).getLogicalId(element as CfnElement);
const providerId = (tenant: TenantConfig) =>
  tenantIdOf(
    tenant,
    poolOf(tenant).node.findChild(tenant.sso?.type === 'saml' ? 'Saml' : 'Oidc').node.defaultChild,
  );
/** The trigger's ARN as a tenant stack reads it: an output of the stateful stack. */
const triggerArnIn = (name: TriggerName) => ({
  'Fn::GetStackOutput': Match.objectLike({
    StackName: 'Gatehouse-Stateful',
    OutputName: Match.stringLikeRegexp(`${triggerId(name)}Arn`),
  }),
});
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
  it('creates one pool, app client and login domain per tenant, each in its own stack', () => {
    expect(built.config.tenants).toHaveLength(3);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect([...built.templates.tenants.keys()].sort()).toEqual(['acme', 'globex', 'initech']);
    for (const tenantTemplate of built.templates.tenants.values()) {
      tenantTemplate.resourceCountIs('AWS::Cognito::UserPool', 1);
      tenantTemplate.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      tenantTemplate.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    }
  });

  describe.each(['acme', 'globex', 'initech'].map((id) => [id] as const))('tenant %s', (tenantId) => {
    const tenant = () => built.config.tenants.find((t) => t.id === tenantId) as TenantConfig;
    // Each tenant's assertions read its own stack only.
    let template: Template;
    beforeAll(() => {
      template = built.templates.tenants.get(tenantId) as Template;
    });

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

    it('holds tenantId and userId as custom attributes that identity-provider links allow', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `gatehouse-${tenantId}`,
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: true }),
          Match.objectLike({ Name: 'userId', AttributeDataType: 'String', Mutable: true }),
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

    it('calls the shared triggers by ARN, adding no permission of its own to their resource policies', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `gatehouse-${tenantId}`,
        LambdaConfig: {
          CustomMessage: triggerArnIn('customMessage'),
          PreAuthentication: triggerArnIn('preAuthentication'),
          PostAuthentication: triggerArnIn('postAuthentication'),
          PreSignUp: triggerArnIn('preSignUp'),
          PreTokenGeneration: triggerArnIn('preTokenGeneration'),
        },
      });
      template.resourceCountIs('AWS::Lambda::Permission', 0);
    });

    it('writes its registry record at deploy time: its pool, issuer and app client, as the registry reads it', () => {
      const t = tenant();
      const [resource] = Object.values(template.findResources('Custom::GatehouseTenant'));
      const poolRef = tenantIdOf(t, poolOf(t).userPool.node.defaultChild);
      const clientRef = tenantIdOf(t, poolOf(t).client.node.defaultChild);
      const record = JSON.parse(
        render(resource?.Properties.Record, (node) => {
          const text = JSON.stringify(node);
          if (text === `{"Ref":"${poolRef}"}`) return `${built.config.region}_${t.id}Pool`;
          if (text === `{"Ref":"${clientRef}"}`) return `${t.id}client`;
          if (text === '{"Ref":"AWS::URLSuffix"}') return 'amazonaws.com';
          // The rest belongs to the managed login page's address, checked below.
          return 'managed-login';
        }),
      );
      expect(toTenant(TenantRecordSchema.parse(record))).toMatchObject({
        id: t.id,
        name: t.name,
        status: 'active',
        userPoolId: `${built.config.region}_${t.id}Pool`,
        issuer: `https://cognito-idp.${built.config.region}.amazonaws.com/${built.config.region}_${t.id}Pool`,
        clientIds: [`${t.id}client`],
        passwordPolicy: t.passwordPolicy,
        mailFrom: t.mailFrom,
        features: t.features,
        licences: t.licences,
        licenceRequired: t.licenceRequired,
        ...t.organisation,
        // Single sign-on, for the triggers: the provider's name in the pool, its mode and its domains.
        ...(t.sso ? { sso: { provider: t.sso.name, mode: t.sso.mode, domains: t.sso.domains } } : {}),
      });
      // The mails' link: the tenant's application when it names one, else its managed login page.
      if (t.signInUrl) expect(record.signInUrl).toBe(t.signInUrl);
      else expect(record.signInUrl).toContain('/login?client_id=');
      // The writer lives in the stateful stack; the tenant stack reads its ARN from an output there.
      expect(resource?.Properties.ServiceToken['Fn::GetStackOutput'].StackName).toBe('Gatehouse-Stateful');
    });

    it('has an app client for code + PKCE with SRP, token revocation and no user-existence errors', () => {
      const t = tenant();
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        UserPoolId: { Ref: tenantIdOf(t, poolOf(t).userPool.node.defaultChild) },
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        // The tenant's own, then the admin console's (test/infra/console.test.ts).
        CallbackURLs: [
          ...(t.appClient?.callbackUrls ?? [DEFAULT_CALLBACK_URL]),
          Match.objectLike({ 'Fn::Join': Match.anyValue() }),
        ],
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
        ReadAttributes: Match.arrayWith(['custom:tenantId', 'custom:userId']),
        SupportedIdentityProviders: t.sso ? ['COGNITO', { Ref: providerId(t) }] : ['COGNITO'],
      });
    });

    it('has the gatehouse resource server with its scim scope, for SCIM OAuth clients; its own app client is not given it', () => {
      const t = tenant();
      const pool = poolOf(t);
      template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        UserPoolId: { Ref: tenantIdOf(t, pool.userPool.node.defaultChild) },
        Identifier: 'gatehouse',
        Scopes: [Match.objectLike({ ScopeName: 'scim' })],
      });
      template.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 1);
      const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
      expect(JSON.stringify(clients)).not.toContain('gatehouse/scim');
      expect(JSON.stringify(clients)).not.toContain('client_credentials');
    });

    it('outputs and records its token endpoint: the pool domain’s /oauth2/token', () => {
      const t = tenant();
      const pool = poolOf(t);
      const url = stackOf(t).resolve(pool.tokenUrl) as { 'Fn::Join': [string, unknown[]] };
      const parts = JSON.stringify(url['Fn::Join'][1]);
      expect(parts).toContain(tenantIdOf(t, pool.domain.node.defaultChild));
      expect(parts).toContain('/oauth2/token');
      template.hasOutput('TokenUrl', { Value: url });
      const [resource] = Object.values(template.findResources('Custom::GatehouseTenant'));
      expect(JSON.stringify(resource?.Properties.Record)).toContain('/oauth2/token');
    });

    it('has its login domain on managed login (version 2)', () => {
      const t = tenant();
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        UserPoolId: { Ref: tenantIdOf(t, poolOf(t).userPool.node.defaultChild) },
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
      const output = stackOf(t).resolve(pool.loginUrl) as { 'Fn::Join': [string, unknown[]] };
      const parts = JSON.stringify(output['Fn::Join'][1]);
      expect(parts).toContain(idOf(pool.client.node.defaultChild));
      expect(parts).toContain('/login?client_id=');
      expect(parts).toContain(
        `redirect_uri=${encodeURIComponent(t.appClient?.callbackUrls[0] ?? DEFAULT_CALLBACK_URL)}`,
      );
      template.hasOutput('LoginUrl', { Value: output });
    });
  });

  it("lets custom-message read the pools' managed login, for a registry record without a sign-in link", () => {
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
    const clients = [...built.templates.tenants.values()].flatMap((t) =>
      Object.values(t.findResources('AWS::Cognito::UserPoolClient')),
    );
    expect(clients).toHaveLength(3);
    for (const client of clients) {
      const writable = (client.Properties.WriteAttributes ?? []) as string[];
      expect(writable.length).toBeGreaterThan(0); // absent would mean "every standard attribute"
      expect(writable.filter((a) => a.startsWith('custom:'))).toEqual([]);
    }
  });

  it('federates acme through OIDC, its client secret read from Secrets Manager at deploy time', () => {
    built.templates.tenants.get('acme')?.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
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
    built.templates.tenants.get('globex')?.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'GlobexOkta',
      ProviderType: 'SAML',
      ProviderDetails: Match.objectLike({
        MetadataURL: 'https://globex.okta.example.com/app/exk000/sso/saml/metadata',
      }),
    });
  });
});

describe('triggers', () => {
  it('are the five of lib/access.ts, each its own function', () => {
    expect([...TRIGGER_NAMES].sort()).toEqual([
      'customMessage',
      'postAuthentication',
      'preAuthentication',
      'preSignUp',
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
    // Tables only: the tenant comes from the registry, held to the event's pool; nothing grows per tenant.
    expect(Object.keys(variables).sort()).toEqual([
      'HISTORY_TABLE',
      'NODE_OPTIONS',
      'PROFILES_TABLE',
      'TENANTS_TABLE',
    ]);
  });

  it.each(
    TRIGGER_NAMES.map((name) => [name] as const),
  )('lets every pool of the account invoke %s through one permission, whatever the number of tenants', (name) => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) =>
        JSON.stringify(p.Properties.FunctionName) ===
        JSON.stringify({ 'Fn::GetAtt': [triggerId(name), 'Arn'] }),
    );
    expect(permissions).toEqual([
      {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [triggerId(name), 'Arn'] },
          Principal: 'cognito-idp.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
          SourceArn: {
            'Fn::Join': [
              '',
              [`arn:aws:cognito-idp:${built.config.region}:`, { Ref: 'AWS::AccountId' }, ':userpool/*'],
            ],
          },
        },
      },
    ]);
  });

  it.each(
    TRIGGER_NAMES.map((name) => [name] as const),
  )('grants %s exactly the table and Cognito actions its entry in lib/access.ts names, Cognito on the tenants’ pools only', (name) => {
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

  it('lets only pre-sign-up change anything in Cognito: create a login, read it back, link an identity to it', () => {
    const cognito = (name: TriggerName) =>
      grantsOf(template, triggerId(name), tableMeaning).filter((g) => g.startsWith('cognito-idp:Admin'));
    // By pattern, as every Cognito grant: the pools live in the tenant stacks, and a new tenant needs no new grant.
    expect(cognito('preSignUp')).toEqual(
      ['AdminCreateUser', 'AdminGetUser', 'AdminLinkProviderForUser'].map(
        (action) => `cognito-idp:${action}@arn:aws:cognito-idp:eu-west-1:{"Ref":"AWS::AccountId"}:userpool/*`,
      ),
    );
    for (const name of TRIGGER_NAMES.filter((n) => n !== 'preSignUp')) expect(cognito(name)).toEqual([]);
  });

  it('lets pre-authentication read the profile only, and pre-token generation also read the role catalogue and seed it', () => {
    const grants = (name: TriggerName) => grantsOf(template, triggerId(name), tableMeaning);
    expect(grants('preAuthentication')).toEqual([
      'dynamodb:GetItem@PROFILES_TABLE',
      'dynamodb:GetItem@TENANTS_TABLE',
    ]);
    expect(grants('preTokenGeneration')).toEqual([
      'dynamodb:GetItem@PROFILES_TABLE',
      'dynamodb:GetItem@TENANTS_TABLE',
      'dynamodb:PutItem@PROFILES_TABLE',
      'dynamodb:Query@PROFILES_TABLE',
    ]);
  });
});
