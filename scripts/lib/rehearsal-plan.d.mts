export interface ResourceChange {
  address?: string;
  type: string;
  change: { actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };
}
export interface EmulatorGap { type: RegExp; applies: (after: Record<string, unknown> | null | undefined) => boolean; attributes: Record<string, unknown[]>; reason: string }
export const EMULATOR_GAPS: EmulatorGap[];
export function planChanges(plan: { resource_changes?: ResourceChange[] }): ResourceChange[];
export function differingAttributes(change: ResourceChange): string[];
export function emulatorGap(change: ResourceChange): EmulatorGap | undefined;
