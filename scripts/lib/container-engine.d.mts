import type { ExecFileSyncOptions, SpawnSyncOptions, SpawnSyncReturns } from 'node:child_process';

export interface Engine {
  name: 'docker' | 'podman';
  argv: string[];
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: ExecFileSyncOptions): string;
  spawn(args: string[], options?: SpawnSyncOptions): SpawnSyncReturns<string>;
}
export const repoRoot: string;
export const DEFAULT_IMAGE: string;
export function imageName(): string;
export const BASE_IMAGES: { debian: string; node: string };
export function containerEngine(): Engine;
export function imageExists(engine: Engine, image: string): boolean;
export function imageSize(engine: Engine, image: string): number;
