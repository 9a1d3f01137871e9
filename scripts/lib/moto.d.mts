export const BUCKET_POLICY_CONDITION_GAP: string;
export function freePort(): Promise<number>;
export function motoServerEnv(accountId: string, baseEnv?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export function startMoto(accountId: string, options?: { timeoutMs?: number; logFile?: string; server?: string }): Promise<{ url: string; port: number; stop: () => void }>;
export function createBucket(motoUrl: string, target: { bucket: string; region: string }): Promise<void>;
