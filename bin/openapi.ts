// Writes openapi.json, the API's OpenAPI document, from the route table: `npm run openapi`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '#api/openapi.ts';

const file = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(file, openApiJson());
console.log(`Wrote ${file}`);
