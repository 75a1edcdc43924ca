// The one structured JSON logger of the functions (Powertools): request id and tenant ride on every line.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'gatehouse' });
