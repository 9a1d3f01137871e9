// A setting whose value validated but cannot be used at start-up (e.g. an unreadable CA bundle). Thrown by
// the layers that use settings (store/db.ts); config/startup-failure.ts explains it as that setting.

/** A start-up problem that one setting explains; main.ts prints it as one line naming `setting`. */
export class SettingError extends Error {
  constructor(readonly setting: string, message: string) {
    super(message);
    this.name = 'SettingError';
  }
}
