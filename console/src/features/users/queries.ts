// Server state of the users screens, in TanStack Query, keyed by the API path it comes from.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  type BulkAction,
  type BulkResult,
  type CreateUserBody,
  type EditUserBody,
  etagOf,
  type Job,
  type User,
  unwrap,
} from '#console/api/client.ts';
import { useAuth } from '#console/auth/auth-context.tsx';

export interface UserListQuery {
  q: string;
  status?: 'archived';
  cursor?: string;
  /** The API's filters, combined with q. */
  role?: string;
  licence?: string;
  type?: 'internal' | 'external';
}

export const PAGE_SIZE = 25;

export function useUserList(query: UserListQuery) {
  const { api } = useAuth();
  return useQuery({
    queryKey: ['/users', query],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/users', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(query.q.trim() ? { q: query.q.trim() } : {}),
              ...(query.status ? { status: query.status } : {}),
              ...(query.cursor ? { cursor: query.cursor } : {}),
              ...(query.role ? { role: query.role } : {}),
              ...(query.licence ? { licence: query.licence } : {}),
              ...(query.type ? { type: query.type } : {}),
            },
          },
          signal,
        }),
      ),
    // Typing in the search box keeps the last results on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });
}

export function useUser(userId: string) {
  const { api } = useAuth();
  return useQuery({
    queryKey: ['/users/{userId}', userId],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/users/{userId}', { params: { path: { userId } }, signal })),
  });
}

export function useRoles() {
  const { api } = useAuth();
  return useQuery({
    queryKey: ['/roles'],
    queryFn: async ({ signal }) => unwrap(await api.GET('/roles', { signal })).items,
    staleTime: 60_000,
  });
}

export function useLicences() {
  const { api } = useAuth();
  return useQuery({
    queryKey: ['/licences'],
    queryFn: async ({ signal }) => unwrap(await api.GET('/licences', { signal })).items,
  });
}

/** After any change to users: the lists, the licences' seat counts and histories are read again. */
function useInvalidateUsers() {
  const queries = useQueryClient();
  return (user?: User) => {
    if (user) queries.setQueryData(['/users/{userId}', user.id], user);
    void queries.invalidateQueries({ queryKey: ['/users'] });
    void queries.invalidateQueries({ queryKey: ['/licences'] });
    void queries.invalidateQueries({ queryKey: ['/history'] });
    void queries.invalidateQueries({ queryKey: ['/users/{userId}/history'] });
  };
}

export function useCreateUser() {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (body: CreateUserBody) =>
      unwrap(
        await api.POST('/users', {
          body,
          params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
        }),
      ),
    onSuccess: (user) => invalidate(user),
  });
}

export function useEditUser(user: User) {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (body: EditUserBody) =>
      unwrap(
        await api.PATCH('/users/{userId}', {
          params: { path: { userId: user.id }, header: { 'If-Match': etagOf(user) } },
          body,
        }),
      ),
    onSuccess: (next) => invalidate(next),
  });
}

export type LifecycleAction = 'activate' | 'deactivate' | 'archive' | 'restore';

export function useLifecycle(userId: string) {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (action: LifecycleAction) => {
      const options = {
        params: { path: { userId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      };
      switch (action) {
        case 'activate':
          return unwrap(await api.POST('/users/{userId}/activate', options));
        case 'deactivate':
          return unwrap(await api.POST('/users/{userId}/deactivate', options));
        case 'archive':
          return unwrap(await api.POST('/users/{userId}/archive', options));
        case 'restore':
          return unwrap(await api.POST('/users/{userId}/restore', options));
      }
    },
    onSuccess: (user) => invalidate(user),
  });
}

export function useMailAction(userId: string) {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (action: 'reset-password' | 'resend-invitation') => {
      const options = {
        params: { path: { userId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      };
      return action === 'reset-password'
        ? unwrap(await api.POST('/users/{userId}/reset-password', options))
        : unwrap(await api.POST('/users/{userId}/resend-invitation', options));
    },
    onSuccess: () => invalidate(),
  });
}

export function useSetPassword(userId: string) {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (body: { password: string; confirmPassword: string; temporary: boolean }) =>
      unwrap(
        await api.PUT('/users/{userId}/password', {
          params: { path: { userId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
          body,
        }),
      ),
    onSuccess: () => invalidate(),
  });
}

export function useEmailUser(userId: string) {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (body: { subject: string; text: string }) =>
      unwrap(
        await api.POST('/users/{userId}/email', {
          params: { path: { userId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
          body,
        }),
      ),
    onSuccess: () => invalidate(),
  });
}

export function useDeleteUser(userId: string) {
  const { api } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async (confirmEmail: string) =>
      unwrap(
        await api.DELETE('/users/{userId}', {
          params: { path: { userId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
          body: { confirmEmail },
        }),
      ),
    onSuccess: () => {
      queries.removeQueries({ queryKey: ['/users/{userId}', userId] });
      void queries.invalidateQueries({ queryKey: ['/users'] });
      void queries.invalidateQueries({ queryKey: ['/licences'] });
    },
  });
}

export function useBulk() {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: async (body: {
      action: BulkAction;
      userIds: string[];
      message?: { subject: string; text: string };
    }): Promise<BulkReply> => {
      const reply = unwrap(
        await api.POST('/users/bulk', {
          params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
          body,
        }),
      );
      // Up to 100 users are acted on within the request (a result each); more become a job (202) to follow.
      return 'results' in reply ? { results: reply.results } : { job: reply };
    },
    onSuccess: () => invalidate(),
  });
}

/** What a bulk action answered: a result per user, or the job that acts on them. */
export type BulkReply = { results: BulkResult[] } | { job: Job };

const JOB_POLL_MS = 1000;
const isFinished = (job: Job) => job.state === 'completed' || job.state === 'cancelled';

/** A job, read again every second while it runs; the users list is read again once it ends. */
export function useJob(jobId: string) {
  const { api } = useAuth();
  const invalidate = useInvalidateUsers();
  return useQuery({
    queryKey: ['/jobs/{jobId}', jobId],
    queryFn: async ({ signal }) => {
      const job = unwrap(await api.GET('/jobs/{jobId}', { params: { path: { jobId } }, signal }));
      if (isFinished(job)) invalidate();
      return job;
    },
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data) ? false : JOB_POLL_MS),
  });
}

/** A finished job's failures: its outcomes, read once, the failed ones kept (the first 1,000 items). */
export function useJobFailures(job: Job | undefined) {
  const { api } = useAuth();
  const jobId = job?.id ?? '';
  return useQuery({
    queryKey: ['/jobs/{jobId}/results', jobId],
    enabled: job !== undefined && isFinished(job) && job.failed > 0,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/jobs/{jobId}/results', {
          params: { path: { jobId }, query: { limit: 1000 } },
          signal,
        }),
      ).items.filter((o) => o.outcome === 'failed'),
  });
}

export function useHistory(userId: string | undefined, cursor: string | undefined) {
  const { api } = useAuth();
  return useQuery({
    queryKey: userId ? ['/users/{userId}/history', userId, cursor] : ['/history', cursor],
    queryFn: async ({ signal }) => {
      const query = { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
      return userId
        ? unwrap(await api.GET('/users/{userId}/history', { params: { path: { userId }, query }, signal }))
        : unwrap(await api.GET('/history', { params: { query }, signal }));
    },
    placeholderData: keepPreviousData,
  });
}
