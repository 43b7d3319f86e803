// Runs the Hono example; see ../shared/run-example.mjs for the GECKO_* variables it reads.
import { runExample } from '@gecko-auth/example-shared';

import { startApp } from './app.mjs';

await runExample({ name: 'Hono', defaultPort: 3002, startApp });
