// The shipped teachers' records read by the Teacher control: every teacher choice has a checkpoint in public/ whose
// teacher.json parses and names its accuracy, the matched CNN is within 0.5 point of the transformer, and bad records
// are refused by name.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENUM_VALUES, TEACHER_MODELS, teacherDir } from '../../engine/config';
import { teacherLabel } from '../store/runModel';
import { readShippedTeacher, shippedTeacherLabel } from './shippedTeachers';

const PUBLIC = fileURLToPath(new URL('../../../public', import.meta.url));

describe('shipped teachers', () => {
  it('every teacher choice has a checkpoint whose teacher.json gives its test accuracy, family and command', async () => {
    const recs = Object.fromEntries(await Promise.all(ENUM_VALUES.teacherModel.map(async (m) => {
      const json = JSON.parse(await readFile(`${PUBLIC}/${teacherDir('fashion-mnist', m)}/teacher.json`, 'utf8')) as { command: string; trainedOn: string };
      expect(json.command, m).toMatch(/^npm run train-teacher/);
      expect(json.trainedOn, m).toMatch(/all 60000 training images/);
      return [m, readShippedTeacher(json)] as const;
    })));
    for (const m of ENUM_VALUES.teacherModel) expect(recs[m]!.family, m).toBe(TEACHER_MODELS[m].family);
    // The paper compares teachers of similar accuracy: the matched CNN is within 0.5 point of the transformer.
    expect(Math.abs(recs['cnn-matched']!.testAccuracy - recs.vit!.testAccuracy)).toBeLessThanOrEqual(0.005);
    expect(recs.cnn!.testAccuracy).toBeGreaterThan(recs['cnn-matched']!.testAccuracy);
  });

  it('refuses a record without an accuracy in [0, 1], a parameter count or a known family', () => {
    expect(readShippedTeacher({ testAccuracy: 0.9, parameters: 10 })).toEqual({ testAccuracy: 0.9, parameters: 10, family: 'cnn' });
    expect(() => readShippedTeacher({ testAccuracy: 90.7, parameters: 10 })).toThrow(/test accuracy/);
    expect(() => readShippedTeacher({ testAccuracy: '0.9', parameters: 10 })).toThrow(/test accuracy/);
    expect(() => readShippedTeacher({ testAccuracy: 0.9 })).toThrow(/parameter count/);
    expect(() => readShippedTeacher({ testAccuracy: 0.9, parameters: 10, family: 'rnn' })).toThrow(/unknown family/);
    expect(() => readShippedTeacher(null)).toThrow(/test accuracy/);
  });

  it('labels each teacher with its accuracy, and says when it is loading or unavailable', () => {
    expect(shippedTeacherLabel('vit', { testAccuracy: 0.8512, parameters: 1, family: 'vit' })).toBe('Transformer (ViT) · 85.1% test');
    expect(shippedTeacherLabel('cnn', undefined)).toBe('CNN · …');
    expect(shippedTeacherLabel('cnn-matched', { error: 'HTTP 404' })).toBe('CNN (matched accuracy) · accuracy unavailable');
  });

  it("names a run's teacher: shipped by choice, trained here, or a file by its family", () => {
    expect(teacherLabel({ teacher: 'pretrained', teacherModel: 'cnn-matched' }, null)).toBe('CNN (matched accuracy)');
    expect(teacherLabel({ teacher: 'train', teacherModel: 'vit' }, null)).toBe('Transformer (ViT), trained here');
    expect(teacherLabel({ teacher: 'pretrained' }, null)).toBe('CNN');
    expect(teacherLabel({ teacher: 'pretrained', teacherModel: 'cnn' }, { source: 'file', family: 'vit', fileName: 't.json' })).toBe('Transformer (ViT) from file t.json');
  });
});
