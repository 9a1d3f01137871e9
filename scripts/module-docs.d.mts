export const modulesDir: string;
export const docsConfig: string;
export const BEGIN: string;
export const END: string;
export function moduleDocs(dir: string, options?: { check?: boolean }): { ok: boolean; message: string };
export function moduleDirs(): string[];
