// Schedules kept in a storage location, one JSON object each under plugins/kubectl-velero/schedules/
// (Velero ignores plugins/, so a Velero server sharing the location is not disturbed). Changes are
// read-modify-write of the one object, re-read right before the write, so a pause from one machine
// and a status update from a `schedule run` on another touch different fields and both stay.
import type { ObjectStore } from '../storage/object-store.ts';
import { readJsonIfExists } from '../storage/object-reads.ts';
import { PLUGIN_SCHEDULES_PREFIX, scheduleKeys, scheduleNameOfKey } from '../storage/layout.ts';
import { checkScheduleName, type Schedule, scheduleNameProblem } from './schedule-object.ts';

export class ScheduleNotFoundError extends Error {
  constructor(name: string, where: string) {
    super(`schedule "${name}" not found in ${where}: see kubectl velero schedule get`);
  }
}

export class ScheduleExistsError extends Error {
  constructor(name: string, where: string) {
    super(`schedule "${name}" already exists in ${where}: choose another name or delete it first`);
  }
}

export class StoredSchedules {
  constructor(private readonly store: ObjectStore) {}

  describe(): string {
    return this.store.describe();
  }

  async names(): Promise<string[]> {
    const names: string[] = [];
    for await (const key of this.store.list(PLUGIN_SCHEDULES_PREFIX)) {
      const name = scheduleNameOfKey(key);
      // Only what `schedule create` could have written: a stray file is not a schedule.
      if (name && !scheduleNameProblem(name)) names.push(name);
    }
    return names.sort();
  }

  async list(): Promise<Schedule[]> {
    const out: Schedule[] = [];
    for (const name of await this.names()) {
      const schedule = await this.find(name);
      if (schedule) out.push(schedule);
    }
    return out;
  }

  /** The schedule, or undefined; a name no schedule can have is an InvalidScheduleNameError (names become keys). */
  async find(name: string): Promise<Schedule | undefined> {
    try {
      return await readJsonIfExists<Schedule>(this.store, scheduleKeys(checkScheduleName(name)).object);
    } catch (error) {
      // By name too: a store loaded by a dynamic import under the test runner has its own copy of
      // the error class (see named-store.ts); the bundle has one.
      if (error instanceof Error && error.constructor.name === 'ObjectNotFoundError') return undefined;
      throw error;
    }
  }

  async get(name: string): Promise<Schedule> {
    const schedule = await this.find(name);
    if (!schedule) throw new ScheduleNotFoundError(name, this.store.describe());
    return schedule;
  }

  async create(schedule: Schedule): Promise<void> {
    if (await this.store.exists(scheduleKeys(checkScheduleName(schedule.metadata.name)).object)) throw new ScheduleExistsError(schedule.metadata.name, this.store.describe());
    await this.put(schedule);
  }

  private put(schedule: Schedule): Promise<void> {
    return this.store.put(scheduleKeys(schedule.metadata.name).object, `${JSON.stringify(schedule, null, 2)}\n`, { contentType: 'application/json' });
  }

  /**
   * Applies `change` to the schedule as stored right now and writes the result. A schedule
   * deleted meanwhile stays deleted: undefined, nothing written.
   */
  async update(name: string, change: (schedule: Schedule) => Schedule): Promise<Schedule | undefined> {
    const current = await this.find(name);
    if (!current) return undefined;
    const changed = change(current);
    await this.put(changed);
    return changed;
  }

  /** The object, then any run locks left behind. */
  async delete(name: string): Promise<void> {
    const keys = scheduleKeys(checkScheduleName(name));
    if (!(await this.store.exists(keys.object))) throw new ScheduleNotFoundError(name, this.store.describe());
    await this.store.delete(keys.object);
    for await (const key of this.store.list(keys.locks)) await this.store.delete(key);
  }
}
