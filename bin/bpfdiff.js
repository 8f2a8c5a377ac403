#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so no build step stands between a change and its use.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
