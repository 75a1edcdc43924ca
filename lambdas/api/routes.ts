// The route table: the one list of routes that the handlers, the offline server, CDK and OpenAPI read.
import type { z } from 'zod';
import type { Permission } from '#domain/permissions.ts';
import {
  CreateUserBodySchema,
  ListUsersQuerySchema,
  UserIdParamsSchema,
  UserPageSchema,
  UserSchema,
} from './schemas.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export interface RouteDefinition<Req extends RouteRequest = RouteRequest> {
  method: HttpMethod;
  /** API Gateway resource path, e.g. `/users/{userId}`. */
  path: string;
  summary: string;
  /** The permission the caller's current roles must grant; null: any active user of the tenant. */
  permission: Permission | null;
  request: Req;
  /** Success statuses and their bodies; every route may also answer problem+json 4xx/5xx. */
  responses: Record<number, z.ZodType>;
}

const route = <Req extends RouteRequest>(definition: RouteDefinition<Req>) => definition;

export const ROUTES = {
  createUser: route({
    method: 'POST',
    path: '/users',
    summary: 'Add a user (status inactive, or invited with "activate": true)',
    permission: 'users.create',
    request: { body: CreateUserBodySchema },
    responses: { 201: UserSchema },
  }),
  listUsers: route({
    method: 'GET',
    path: '/users',
    summary: "A page of the tenant's users",
    permission: 'users.read',
    request: { query: ListUsersQuerySchema },
    responses: { 200: UserPageSchema },
  }),
  getUser: route({
    method: 'GET',
    path: '/users/{userId}',
    summary: 'One user',
    permission: 'users.read',
    request: { params: UserIdParamsSchema },
    responses: { 200: UserSchema },
  }),
  activateUser: route({
    method: 'POST',
    path: '/users/{userId}/activate',
    summary: 'Create the login; Cognito mails the welcome message with a temporary password',
    permission: 'users.lifecycle',
    request: { params: UserIdParamsSchema },
    responses: { 200: UserSchema },
  }),
  getMe: route({
    method: 'GET',
    path: '/me',
    summary: "The caller's own profile",
    permission: null,
    request: {},
    responses: { 200: UserSchema },
  }),
} as const;

export type RouteId = keyof typeof ROUTES;

/** The handler module of a route: `lambdas/api/handlers/<kebab-case id>.ts`, exporting `handler`. */
export function handlerFile(id: RouteId): string {
  return `${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.ts`;
}
