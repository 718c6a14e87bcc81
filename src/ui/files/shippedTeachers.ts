// The shipped teachers' own records: each checkpoint's teacher.json says its test accuracy (measured on the full test
// split by `npm run train-teacher`) and its size, so the Teacher control shows every teacher's accuracy beside its
// name before anything trains. Read once per page from the site, as the worker reads the checkpoint itself.
import { useEffect, useState } from 'react';
import { ENUM_VALUES, TEACHER_MODELS, teacherDir, type DatasetName, type TeacherModelName } from '../../engine/config';

export interface ShippedTeacher {
  /** Test accuracy in [0, 1] recorded in the checkpoint. */
  testAccuracy: number;
  parameters: number;
  family: 'cnn' | 'vit';
}

export type ShippedTeachers = Partial<Record<TeacherModelName, ShippedTeacher | { error: string }>>;

/** Reads what the UI needs from a teacher.json, refusing anything else (the file comes from the site, but may be stale or missing). */
export function readShippedTeacher(json: unknown): ShippedTeacher {
  const o = json as { testAccuracy?: unknown; parameters?: unknown; family?: unknown } | null;
  const acc = o?.testAccuracy;
  const params = o?.parameters;
  const family = o?.family ?? 'cnn';
  if (typeof acc !== 'number' || !(acc >= 0 && acc <= 1)) throw new Error('teacher.json has no test accuracy in [0, 1]');
  if (typeof params !== 'number' || !Number.isInteger(params) || params < 1) throw new Error('teacher.json has no parameter count');
  if (family !== 'cnn' && family !== 'vit') throw new Error(`teacher.json has an unknown family ${JSON.stringify(family)}`);
  return { testAccuracy: acc, parameters: params, family };
}

const cache = new Map<string, Promise<ShippedTeachers>>();

/** Every shipped teacher of a dataset, fetched once from `baseUrl` (a failed one carries its error). */
export function loadShippedTeachers(baseUrl: string, dataset: DatasetName): Promise<ShippedTeachers> {
  const key = `${baseUrl}|${dataset}`;
  let p = cache.get(key);
  if (!p) {
    p = Promise.all(ENUM_VALUES.teacherModel.map(async (m) => {
      try {
        const res = await fetch(new URL(`${teacherDir(dataset, m)}/teacher.json`, baseUrl));
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return [m, readShippedTeacher(await res.json())] as const;
      } catch (e) {
        return [m, { error: (e as Error).message }] as const;
      }
    })).then((entries) => Object.fromEntries(entries) as ShippedTeachers);
    cache.set(key, p);
  }
  return p;
}

/** The shipped teachers' records for the control, {} until they arrive. */
export function useShippedTeachers(dataset: DatasetName): ShippedTeachers {
  const [teachers, setTeachers] = useState<ShippedTeachers>({});
  useEffect(() => {
    let live = true;
    void loadShippedTeachers(new URL(import.meta.env.BASE_URL, window.location.href).href, dataset).then((t) => live && setTeachers(t));
    return () => {
      live = false;
    };
  }, [dataset]);
  return teachers;
}

/** "CNN · 90.8% test" / "Transformer (ViT) · …" while loading / "… · accuracy unavailable" when its record failed. */
export function shippedTeacherLabel(model: TeacherModelName, rec: ShippedTeacher | { error: string } | undefined): string {
  const name = TEACHER_MODELS[model].label;
  if (!rec) return `${name} · …`;
  if ('error' in rec) return `${name} · accuracy unavailable`;
  return `${name} · ${(rec.testAccuracy * 100).toFixed(1)}% test`;
}
