#!/usr/bin/env node
// The CLI lives in dist/ once built; this stub exists before the build, so package managers can
// link the `gecko-emulator` command at install time.
import '../dist/cli.mjs';
