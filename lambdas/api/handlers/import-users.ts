import { readImportFile } from '#domain/import-file.ts';
import { apiHandler } from '#http/api-handler.ts';
import { checkImport, startImport } from '#services/jobs.ts';
import { jobStartedReply } from '../replies.ts';
import * as ROUTES from '../routes.ts';

export const handler = apiHandler(ROUTES.importUsers, {
  run: async ({ body, query, caller, deps }) => {
    const file = body as unknown as { mediaType: string; text: string };
    const rows = readImportFile(file.text, file.mediaType === 'text/csv' ? 'csv' : 'jsonl');
    if (query.dryRun) return { report: checkImport(rows) };
    return { job: await startImport(deps, caller, rows, query.activate) };
  },
  reply: (result) =>
    'report' in result ? { status: 200, body: result.report } : jobStartedReply(result.job),
});
