// Runs the Koa example; see ../shared/run-example.mjs for the GECKO_* variables it reads.
import { runExample } from '@gecko-auth/example-shared';

import { startApp } from './app.mjs';

await runExample({ name: 'Koa', defaultPort: 3001, startApp });
